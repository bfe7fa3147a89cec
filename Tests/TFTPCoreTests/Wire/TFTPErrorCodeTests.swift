import Testing

@testable import TFTPCore

/// The code values are wire facts (RFC 1350 Appendix, RFC 2347 §2); a renumbering would break every client.
struct TFTPErrorCodeTests {
    @Test func rawValuesMatchTheRFCs() {
        #expect(TFTPErrorCode.allCases.map(\.rawValue) == Array(0...8))
        #expect(TFTPErrorCode.unknownTransferID.rawValue == 5)
        #expect(TFTPErrorCode.optionNegotiationFailed.rawValue == 8)
    }

    @Test func everyCodeHasAMessage() {
        for code in TFTPErrorCode.allCases {
            #expect(!code.defaultMessage.isEmpty)
        }
    }
}
