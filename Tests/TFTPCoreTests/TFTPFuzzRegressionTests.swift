import NIOCore
import Testing

/// Every committed FuzzTFTP input replays through the fuzzer's own harness (decode, re-encode, file-name
/// normalisation, option negotiation, transfer start) without trapping, and gives the outcome recorded for it.
@Suite struct TFTPFuzzRegressionTests {
    @Test func everyInputGivesItsRecordedOutcome() throws {
        let regressions = try FuzzRegressionInputs(target: "tftp")
        #expect(!regressions.inputs.isEmpty)
        #expect(regressions.orphanedOutcomes.isEmpty, "outcomes.txt names missing files")
        for input in regressions.inputs {
            let outcome = TFTPFuzzHarness.run(ByteBuffer(bytes: input.bytes))
            #expect(input.expectedOutcome == outcome.description, "\(input.name)")
        }
    }
}
