import NIOCore
import Testing

@testable import TFTPCore

/// The transfer threads read ACKs without the codec; for every datagram the fast path must say what the codec says:
/// the same block for an ACK, nothing for anything else (which then goes through the codec).
@Suite struct TFTPAcknowledgementFastPathTests {
    func codecBlock(_ bytes: [UInt8]) -> UInt16? {
        var buffer = ByteBuffer(bytes: bytes)
        guard case .acknowledgement(let block)? = try? buffer.readTFTPPacket() else { return nil }
        return block
    }

    func fastBlock(_ bytes: [UInt8]) -> UInt16? {
        bytes.withUnsafeBytes { TFTPPacket.acknowledgedBlock(in: $0) }
    }

    @Test func namedCasesAgreeWithTheCodec() {
        let cases: [[UInt8]] = [
            [0, 4, 0, 1], [0, 4, 0xff, 0xff], [0, 4, 0x12, 0x34, 0, 0, 0],  // ACKs, one padded
            [0, 4, 0], [0, 4], [],  // truncated
            [0, 3, 0, 1, 0x41], [0, 5, 0, 1, 0x78, 0], [1, 4, 0, 1],  // DATA, ERROR, a bad opcode
            [0, 4, 0, 9] + [UInt8](repeating: 0, count: TFTPPacket.maximumLength),  // oversized
        ]
        for bytes in cases { #expect(fastBlock(bytes) == codecBlock(bytes), "\(bytes.prefix(8))") }
        #expect(fastBlock([0, 4, 0x12, 0x34]) == 0x1234)
    }

    @Test func randomDatagramsAgreeWithTheCodec() {
        var generator = SystemRandomNumberGenerator()
        var acknowledgements = 0
        for _ in 0..<5_000 {
            let length = Int.random(in: 0...12, using: &generator)
            var bytes = (0..<length).map { _ in UInt8.random(in: 0...5, using: &generator) }
            if length >= 2, Bool.random(using: &generator) {
                bytes[0] = 0
                bytes[1] = 4
            }
            if fastBlock(bytes) != nil { acknowledgements += 1 }
            #expect(fastBlock(bytes) == codecBlock(bytes), "\(bytes)")
        }
        #expect(acknowledgements > 100, "the sample holds ACKs, not only other datagrams")
    }
}
