import NIOCore
import Testing

@testable import TFTPCore

/// Golden bytes of the packets a server sends and receives during a transfer, both directions.
struct TFTPPacketTests {
    @Test func optionAcknowledgementGoldenBytes() throws {
        let golden = "00067473697a6500323700626c6b73697a65003134303800"
        let packet = TFTPPacket.optionAcknowledgement([
            .init(name: "tsize", value: "27"), .init(name: "blksize", value: "1408"),
        ])
        #expect(encoded(packet) == hexBytes(golden))
        var buffer = hexBuffer(golden)
        #expect(try buffer.readTFTPPacket() == packet)
    }

    @Test func dataGoldenBytes() throws {
        let golden = "0003ffff68656c6c6f0a"
        let packet = TFTPPacket.data(block: 65535, payload: ByteBuffer(string: "hello\n"))
        #expect(encoded(packet) == hexBytes(golden))
        var buffer = hexBuffer(golden)
        #expect(try buffer.readTFTPPacket() == packet)
    }

    @Test func emptyFinalDataBlock() throws {
        let packet = TFTPPacket.data(block: 7, payload: ByteBuffer())
        #expect(encoded(packet) == hexBytes("00030007"))
        var buffer = hexBuffer("00030007")
        #expect(try buffer.readTFTPPacket() == packet)
    }

    @Test func acknowledgementGoldenBytes() throws {
        #expect(encoded(.acknowledgement(block: 0x0102)) == hexBytes("00040102"))
        var buffer = hexBuffer("00040000")
        #expect(try buffer.readTFTPPacket() == .acknowledgement(block: 0))
    }

    @Test func acknowledgementIgnoresPadding() throws {
        var buffer = hexBuffer("000400050000")
        #expect(try buffer.readTFTPPacket() == .acknowledgement(block: 5))
        #expect(buffer.readableBytes == 0)
    }

    @Test func errorGoldenBytes() throws {
        let golden = "0005000146696c65206e6f7420666f756e6400"
        let packet = TFTPPacket.error(code: .fileNotFound, message: "File not found")
        #expect(encoded(packet) == hexBytes(golden))
        var buffer = hexBuffer(golden)
        #expect(try buffer.readTFTPPacket() == packet)
    }

    @Test func errorWithoutTerminatorIsStillAnError() throws {
        // Some firmware omits the NUL; the error must not be lost (it ends the transfer).
        var buffer = ByteBuffer(bytes: [0, 5, 0, 8] + Array("abort".utf8))
        #expect(try buffer.readTFTPPacket() == .error(code: .optionNegotiationFailed, message: "abort"))
    }

    @Test func writerDropsNULFromText() {
        #expect(encoded(.error(code: .undefined, message: "a\0b")) == [0, 5, 0, 0, 0x61, 0x62, 0])
    }

    @Test func largestDataPacketDecodes() throws {
        var buffer = ByteBuffer(
            bytes: [0, 3, 0, 1] + [UInt8](repeating: 0xAA, count: TFTPPacket.maximumDataPayloadLength))
        guard case .data(let block, let payload) = try buffer.readTFTPPacket() else {
            Issue.record("expected DATA")
            return
        }
        #expect(block == 1)
        #expect(payload.readableBytes == 65464)
    }
}
