import NIOCore
import NIOEmbedded
import Testing

@testable import TFTP

/// The transfer handler on an `EmbeddedChannel`: the machine's actions become datagrams, and virtual time on the
/// `EmbeddedEventLoop` drives retransmission (no sleeps).
struct TFTPTransferHandlerTests {
    private static let client = try! SocketAddress(ipAddress: "192.0.2.10", port: 2070)
    private static let stray = try! SocketAddress(ipAddress: "192.0.2.99", port: 2071)

    private struct FailingSource: TFTPFileSource {
        let byteCount: UInt64 = 4096
        func read(at offset: UInt64, length: Int, into buffer: inout ByteBuffer) throws {
            throw TFTPFileReadError.systemError(errno: 5)
        }
    }

    private func makeChannel(
        _ request: TFTPRequest, source: any TFTPFileSource
    ) throws -> EmbeddedChannel {
        let transfer = TFTPReadTransfer(request: request, transferSize: source.byteCount, interfaceMTU: 1500)
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(
            TFTPTransferHandler(transfer: transfer, source: source, client: Self.client, logger: .init(label: "test")))
        try channel.connect(to: Self.client).wait()
        return channel
    }

    private func sent(_ channel: EmbeddedChannel) throws -> [(SocketAddress, TFTPPacket)] {
        var packets: [(SocketAddress, TFTPPacket)] = []
        while let envelope = try channel.readOutbound(as: AddressedEnvelope<ByteBuffer>.self) {
            var data = envelope.data
            packets.append((envelope.remoteAddress, try data.readTFTPPacket()))
        }
        return packets
    }

    private func receive(_ packet: TFTPPacket, from peer: SocketAddress = client, on channel: EmbeddedChannel) throws {
        var buffer = ByteBuffer()
        buffer.writeTFTPPacket(packet)
        try channel.writeInbound(AddressedEnvelope(remoteAddress: peer, data: buffer))
    }

    @Test func pxelinuxStyleTransferEndToEnd() throws {
        let contents = Array("DEFAULT local\nLABEL local\n  LOCALBOOT 0\n".utf8)
        let request = TFTPRequest(
            filename: "pxelinux.cfg/default", mode: .octet,
            options: [.init(name: "tsize", value: "0"), .init(name: "blksize", value: "16")])
        let channel = try makeChannel(request, source: TFTPInMemoryFile(bytes: contents))
        let oack = try sent(channel)
        #expect(
            oack.map(\.1) == [
                .optionAcknowledgement([.init(name: "tsize", value: "40"), .init(name: "blksize", value: "16")])
            ])
        #expect(oack.first?.0 == Self.client)
        var received: [UInt8] = []
        var block: UInt16 = 0
        while channel.isActive {
            try receive(.acknowledgement(block: block), on: channel)
            for (_, packet) in try sent(channel) {
                guard case .data(let number, let payload) = packet else {
                    Issue.record("expected DATA, got \(packet)")
                    return
                }
                received += payload.readableBytesView
                block = number
            }
        }
        #expect(received == contents)
        #expect(block == 3)
    }

    @Test func timerRetransmitsOnVirtualTime() throws {
        let channel = try makeChannel(
            TFTPRequest(filename: "f", mode: .octet), source: TFTPInMemoryFile(bytes: .init(repeating: 7, count: 600)))
        #expect(
            try sent(channel).map(\.1) == [
                .data(block: 1, payload: ByteBuffer(bytes: [UInt8](repeating: 7, count: 512)))
            ])
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(999))
        #expect(try sent(channel).isEmpty)
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(1))
        #expect(try sent(channel).map(\.1).count == 1, "DATA 1 again after the 1 s timeout")
        try receive(.acknowledgement(block: 1), on: channel)
        #expect(
            try sent(channel).map(\.1) == [
                .data(block: 2, payload: ByteBuffer(bytes: [UInt8](repeating: 7, count: 88)))
            ])
        try receive(.acknowledgement(block: 2), on: channel)
        #expect(!channel.isActive)
    }

    @Test func strayPeerIsAnsweredWithError5() throws {
        let channel = try makeChannel(
            TFTPRequest(filename: "f", mode: .octet), source: TFTPInMemoryFile(bytes: [1, 2, 3]))
        _ = try sent(channel)
        try receive(.acknowledgement(block: 1), from: Self.stray, on: channel)
        let replies = try sent(channel)
        #expect(replies.count == 1)
        #expect(replies.first?.0 == Self.stray)
        #expect(replies.first?.1 == .error(code: .unknownTransferID, message: "Unknown transfer ID"))
        #expect(channel.isActive)
    }

    @Test func readFailureSendsErrorAndCloses() throws {
        let channel = try makeChannel(TFTPRequest(filename: "f", mode: .octet), source: FailingSource())
        #expect(try sent(channel).map(\.1) == [.error(code: .undefined, message: "Read error")])
        #expect(!channel.isActive)
    }
}
