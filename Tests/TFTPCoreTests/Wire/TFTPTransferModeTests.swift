import Testing

@testable import TFTPCore

/// RFC 1350 §5: mode names are case-insensitive; anything else is not a mode.
struct TFTPTransferModeTests {
    @Test func namesInAnyCase() {
        #expect(TFTPTransferMode(wireName: "OCTET") == .octet)
        #expect(TFTPTransferMode(wireName: "NetAscii") == .netascii)
        #expect(TFTPTransferMode(wireName: "mail") == .mail)
        #expect(TFTPTransferMode(wireName: "binary") == nil)
        #expect(TFTPTransferMode(wireName: "") == nil)
    }

    @Test func encodedLowerCase() {
        #expect(TFTPTransferMode.allCases.map(\.rawValue) == ["netascii", "octet", "mail"])
    }
}
