import Testing

/// Every committed FuzzProfile input (a packed profile folder) replays through the fuzzer's own harness without
/// trapping, and loads or is refused exactly as recorded for it.
@Suite struct ProfileFuzzRegressionTests {
    @Test func everyInputGivesItsRecordedOutcome() throws {
        let regressions = try FuzzRegressionInputs(target: "profile")
        #expect(!regressions.inputs.isEmpty)
        #expect(regressions.orphanedOutcomes.isEmpty, "outcomes.txt names missing files")
        for input in regressions.inputs {
            let outcome = ProfileFuzzHarness.run(input.bytes)
            #expect(input.expectedOutcome == outcome.description, "\(input.name)")
        }
    }
}
