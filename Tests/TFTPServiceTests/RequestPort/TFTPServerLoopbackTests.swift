import Inventory
import NIOCore
import NIOPosix
import Testing

@testable import TFTPCore
@testable import TFTPService

#if canImport(Glibc)
    import Glibc
#endif

/// The whole server over real UDP on 127.0.0.1 with a small self-driving client: RRQ, OACK, windows, final ACK.
struct TFTPServerLoopbackTests {
    enum Outcome: Sendable, Equatable {
        case file(bytes: [UInt8], optionAcknowledgement: [TFTPOption])
        case error(TFTPErrorCode, String)
    }

    /// Acknowledges the OACK with 0 and every `windowSize`-th in-order block and the final one.
    final class Client: ChannelInboundHandler {
        typealias InboundIn = AddressedEnvelope<ByteBuffer>
        typealias OutboundOut = AddressedEnvelope<ByteBuffer>

        let outcome: EventLoopPromise<Outcome>
        var blockSize = 512
        let windowSize: Int
        var expected: UInt16 = 1
        var sinceLastAck = 0
        var bytes: [UInt8] = []
        var optionAcknowledgement: [TFTPOption] = []

        init(outcome: EventLoopPromise<Outcome>, windowSize: Int) {
            self.outcome = outcome
            self.windowSize = windowSize
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let envelope = unwrapInboundIn(data)
            var payload = envelope.data
            guard let packet = try? payload.readTFTPPacket() else { return }
            switch packet {
            case .optionAcknowledgement(let options):
                optionAcknowledgement = options
                if let value = options.first(where: { $0.name == "blksize" }) { blockSize = Int(value.value)! }
                acknowledge(0, to: envelope.remoteAddress, context: context)
            case .data(let block, let data):
                guard block == expected else { return }
                bytes += data.readableBytesView
                expected &+= 1
                sinceLastAck += 1
                let isFinal = data.readableBytes < blockSize
                if isFinal || sinceLastAck == windowSize {
                    acknowledge(block, to: envelope.remoteAddress, context: context)
                }
                if isFinal { outcome.succeed(.file(bytes: bytes, optionAcknowledgement: optionAcknowledgement)) }
            case .error(let code, let message):
                outcome.succeed(.error(code, message))
            default:
                break
            }
        }

        private func acknowledge(_ block: UInt16, to server: SocketAddress, context: ChannelHandlerContext) {
            sinceLastAck = 0
            var buffer = context.channel.allocator.buffer(capacity: 4)
            buffer.writeTFTPPacket(.acknowledgement(block: block))
            context.writeAndFlush(wrapOutboundOut(AddressedEnvelope(remoteAddress: server, data: buffer)), promise: nil)
        }
    }

    private func fetch(_ request: TFTPRequest, windowSize: Int = 1, root: String?) async throws -> Outcome {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let configuration = TFTPServerConfiguration(
            bindAddress: try SocketAddress(ipAddress: "127.0.0.1", port: 0), rootPath: root)
        let server = try TFTPServer(configuration: configuration, inventory: { .empty }, logger: .init(label: "test"))
        let serverChannel = try await server.bindRequestPort(on: group).get()
        let promise = group.next().makePromise(of: Outcome.self)
        let client = try await DatagramBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Client(outcome: promise, windowSize: windowSize))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        // A safety net so a broken server fails the test instead of hanging it; not a timing assertion.
        let safetyNet = group.next().scheduleTask(in: .seconds(30)) { promise.fail(ChannelError.ioOnClosedChannel) }
        var buffer = client.allocator.buffer(capacity: 64)
        buffer.writeTFTPPacket(.readRequest(request))
        try await client.writeAndFlush(AddressedEnvelope(remoteAddress: serverChannel.localAddress!, data: buffer))
        let outcome = try await promise.futureResult.get()
        safetyNet.cancel()
        try await client.close()
        try await serverChannel.close()
        try await server.shutdownTransfers()
        try await group.shutdownGracefully()
        return outcome
    }

    private func temporaryRoot(fileSize: Int) throws -> (root: String, bytes: [UInt8]) {
        var template = Array("/tmp/rackboot-tftp-loopback-XXXXXX".utf8CString)
        let root = String(cString: mkdtemp(&template)!)
        let bytes = (0..<fileSize).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 8) }
        let descriptor = open(root + "/initrd.img", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        close(descriptor)
        return (root, bytes)
    }

    private func removeRoot(_ root: String) {
        unlink(root + "/initrd.img")
        rmdir(root)
    }

    @Test func windowedTransferOfAFileUnderTheRoot() async throws {
        let (root, bytes) = try temporaryRoot(fileSize: 200_000)
        defer { removeRoot(root) }
        let request = TFTPRequest(
            filename: "/initrd.img", mode: .octet,
            options: [
                .init(name: "windowsize", value: "4"), .init(name: "blksize", value: "1468"),
                .init(name: "tsize", value: "0"),
            ])
        let outcome = try await fetch(request, windowSize: 4, root: root)
        #expect(
            outcome
                == .file(
                    bytes: bytes,
                    optionAcknowledgement: [
                        .init(name: "windowsize", value: "4"), .init(name: "blksize", value: "1468"),
                        .init(name: "tsize", value: "200000"),
                    ]))
    }

    @Test func renderedConfigWithoutOptions() async throws {
        let expected = try #require(Inventory.empty.renderedFile(at: "pxelinux.cfg/default"))
        let outcome = try await fetch(TFTPRequest(filename: "pxelinux.cfg/default", mode: .octet), root: nil)
        #expect(outcome == .file(bytes: expected, optionAcknowledgement: []))
    }

    @Test func missingFileIsError1WithoutServerPath() async throws {
        let (root, _) = try temporaryRoot(fileSize: 1)
        defer { removeRoot(root) }
        let outcome = try await fetch(
            TFTPRequest(filename: "pxelinux.cfg/01-52-54-00-12-34-56", mode: .octet), root: root)
        #expect(outcome == .error(.fileNotFound, "File not found"))
    }

    @Test func escapeIsError2() async throws {
        let outcome = try await fetch(TFTPRequest(filename: "../../etc/passwd", mode: .octet), root: "/tmp")
        #expect(outcome == .error(.accessViolation, "Access violation"))
    }
}
