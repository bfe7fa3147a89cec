import NIOCore
import NIOEmbedded
import Testing

@testable import TFTP

/// How the transfer handler drives the socket: a window leaves as N writes and one flush (one `sendmmsg` on a real
/// socket), and the lazily re-armed retransmission timer still fires at the deadline the transfer last asked for.
struct TFTPTransferHandlerWindowTests {
    private static let client = try! SocketAddress(ipAddress: "192.0.2.10", port: 2070)

    /// Counts what the transfer handler asks of the socket.
    final class WriteCounter: ChannelOutboundHandler {
        typealias OutboundIn = AddressedEnvelope<ByteBuffer>
        var writes = 0
        var flushes = 0

        func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
            writes += 1
            context.write(data, promise: promise)
        }

        func flush(context: ChannelHandlerContext) {
            flushes += 1
            context.flush()
        }
    }

    private func makeChannel(
        _ request: TFTPRequest, bytes: Int, counter: WriteCounter
    ) throws -> EmbeddedChannel {
        let source = TFTPInMemoryFile(bytes: [UInt8](repeating: 9, count: bytes))
        let transfer = TFTPReadTransfer(request: request, transferSize: source.byteCount, interfaceMTU: 1500)
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(counter)
        try channel.pipeline.syncOperations.addHandler(
            TFTPTransferHandler(transfer: transfer, source: source, client: Self.client, logger: .init(label: "test")))
        try channel.connect(to: Self.client).wait()
        return channel
    }

    private func dataBlocks(_ channel: EmbeddedChannel) throws -> [UInt16] {
        var blocks: [UInt16] = []
        while var envelope = try channel.readOutbound(as: AddressedEnvelope<ByteBuffer>.self) {
            if case .data(let block, _) = try envelope.data.readTFTPPacket() { blocks.append(block) }
        }
        return blocks
    }

    private func acknowledge(_ block: UInt16, on channel: EmbeddedChannel) throws {
        var buffer = ByteBuffer()
        buffer.writeTFTPPacket(.acknowledgement(block: block))
        try channel.writeInbound(AddressedEnvelope(remoteAddress: Self.client, data: buffer))
    }

    @Test func aWindowIsWrittenAsNWritesAndOneFlush() throws {
        let counter = WriteCounter()
        let request = TFTPRequest(
            filename: "f", mode: .octet,
            options: [.init(name: "blksize", value: "16"), .init(name: "windowsize", value: "4")])
        let channel = try makeChannel(request, bytes: 200, counter: counter)
        _ = try dataBlocks(channel)  // the OACK
        counter.writes = 0
        counter.flushes = 0
        try acknowledge(0, on: channel)
        #expect(try dataBlocks(channel) == [1, 2, 3, 4])
        #expect(counter.writes == 4)
        #expect(counter.flushes == 1)
    }

    @Test func progressMovesTheRetransmissionDeadlineAndTheTimerStillFiresThere() throws {
        let channel = try makeChannel(
            TFTPRequest(filename: "f", mode: .octet), bytes: 1500, counter: WriteCounter())
        #expect(try dataBlocks(channel) == [1])
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(500))
        try acknowledge(1, on: channel)
        #expect(try dataBlocks(channel) == [2])
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(500))
        #expect(try dataBlocks(channel).isEmpty, "the timer armed for DATA 1 fires, but DATA 2's deadline is later")
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(499))
        #expect(try dataBlocks(channel).isEmpty)
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(1))
        #expect(try dataBlocks(channel) == [2], "1 s after DATA 2 left")
    }
}
