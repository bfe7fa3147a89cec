import NIOCore
import Testing

/// Every committed FuzzDHCP input replays through the fuzzer's own harness (decode, re-encode, the engine on the
/// link, on port 4011 and in proxy mode) without trapping, and gives the outcome recorded for it.
@Suite struct DHCPFuzzRegressionTests {
    @Test func everyInputGivesItsRecordedOutcome() throws {
        let regressions = try FuzzRegressionInputs(target: "dhcp")
        #expect(!regressions.inputs.isEmpty)
        #expect(regressions.orphanedOutcomes.isEmpty, "outcomes.txt names missing files")
        for input in regressions.inputs {
            let outcome = DHCPFuzzHarness.run(ByteBuffer(bytes: input.bytes))
            #expect(input.expectedOutcome == outcome.description, "\(input.name)")
        }
    }
}
