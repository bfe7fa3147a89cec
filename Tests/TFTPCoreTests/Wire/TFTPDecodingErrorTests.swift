import NIOCore
import Testing

@testable import TFTPCore

/// One malformed datagram per `TFTPDecodingError` case, checking the case and the value it carries.
struct TFTPDecodingErrorTests {
    private func decodingError(_ bytes: [UInt8]) -> TFTPDecodingError? {
        var buffer = ByteBuffer(bytes: bytes)
        let before = buffer.readerIndex
        do {
            _ = try buffer.readTFTPPacket()
            return nil
        } catch {
            #expect(buffer.readerIndex == before, "a failed decode must not consume bytes")
            return error
        }
    }

    private func request(_ text: String) -> [UInt8] { [0, 1] + Array(text.utf8) }

    @Test func truncated() {
        #expect(decodingError([]) == .truncatedPacket(length: 0))
        #expect(decodingError([0]) == .truncatedPacket(length: 1))
        #expect(decodingError([0, 4, 1]) == .truncatedPacket(length: 3))
        #expect(decodingError([0, 3]) == .truncatedPacket(length: 2))
        #expect(decodingError([0, 5, 0]) == .truncatedPacket(length: 3))
    }

    @Test func oversized() {
        let bytes = [0, 3, 0, 1] + [UInt8](repeating: 0, count: TFTPPacket.maximumDataPayloadLength + 1)
        #expect(decodingError(bytes) == .oversizedPacket(length: 65469))
    }

    @Test func unknownOpcode() {
        #expect(decodingError([0, 9, 0, 0]) == .unknownOpcode(9))
        #expect(decodingError([0, 0]) == .unknownOpcode(0))
    }

    @Test func missingTerminator() {
        #expect(decodingError(request("file")) == .missingNULTerminator(field: .filename))
        #expect(decodingError(request("file\0octet")) == .missingNULTerminator(field: .mode))
        #expect(decodingError(request("file\0octet\0tsize")) == .missingNULTerminator(field: .optionName))
        #expect(decodingError(request("file\0octet\0tsize\0" + "0")) == .missingNULTerminator(field: .optionValue))
    }

    @Test func emptyFilename() {
        #expect(decodingError(request("\0octet\0")) == .emptyFilename)
    }

    @Test func badMode() {
        #expect(decodingError(request("file\0binary\0")) == .unsupportedMode("binary"))
    }

    @Test func oddOptionList() {
        #expect(decodingError(request("file\0octet\0TSIZE\0")) == .optionWithoutValue(name: "tsize"))
        #expect(decodingError([0, 6] + Array("blksize\0".utf8)) == .optionWithoutValue(name: "blksize"))
    }

    @Test func emptyOptionName() {
        #expect(decodingError(request("file\0octet\0\0" + "0\0")) == .emptyOptionName)
    }

    @Test func nonASCII() {
        #expect(
            decodingError(request("f\u{e9}\0octet\0")) == .nonASCIIField(field: .filename, bytes: [0x66, 0xC3, 0xA9]))
    }

    @Test func unknownErrorCode() {
        #expect(decodingError([0, 5, 0, 9, 0]) == .unknownErrorCode(9))
    }

    @Test func undecodableRequestsAreRefusedWithError4SayingWhy() {
        #expect(
            TFTPDecodingError.oversizedPacket(length: 65_500).requestRefusal == (.illegalOperation, "Request too long"))
        #expect(TFTPDecodingError.emptyFilename.requestRefusal == (.illegalOperation, "Malformed request"))
    }
}
