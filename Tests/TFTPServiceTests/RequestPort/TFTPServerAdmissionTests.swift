import Inventory
import NIOCore
import NIOPosix
import Testing

@testable import TFTPCore
@testable import TFTPService

#if canImport(Glibc)
    import Glibc
#endif

/// The cap on concurrent transfers and the handling of a repeated RRQ, over real UDP on 127.0.0.1.
///
/// The clients never acknowledge, so a transfer stays running (waiting in retransmission) while the test looks.
struct TFTPServerAdmissionTests {
    /// Fulfils `first` with the first packet a client receives.
    final class FirstPacket: ChannelInboundHandler {
        typealias InboundIn = AddressedEnvelope<ByteBuffer>
        let first: EventLoopPromise<TFTPPacket>
        var received = false

        init(first: EventLoopPromise<TFTPPacket>) { self.first = first }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var payload = unwrapInboundIn(data).data
            guard !received, let packet = try? payload.readTFTPPacket() else { return }
            received = true
            first.succeed(packet)
        }
    }

    struct Harness {
        let group: MultiThreadedEventLoopGroup
        let server: TFTPServer
        let serverChannel: any Channel
        let root: String

        static func start(maxTransfers: Int) async throws -> Harness {
            var template = Array("/tmp/rackboot-tftp-admission-XXXXXX".utf8CString)
            let root = String(cString: mkdtemp(&template)!)
            let descriptor = open(root + "/kernel", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            let bytes = [UInt8](repeating: 7, count: 100_000)
            _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            close(descriptor)
            let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
            let configuration = TFTPServerConfiguration(
                bindAddress: try SocketAddress(ipAddress: "127.0.0.1", port: 0), rootPath: root,
                maxTransfers: maxTransfers)
            let server = try TFTPServer(configuration: configuration, inventory: { .empty }, logger: .init(label: "t"))
            let channel = try await server.bindRequestPort(on: group).get()
            return Harness(group: group, server: server, serverChannel: channel, root: root)
        }

        /// A client socket; returns it with the future of the first packet it receives.
        func client() async throws -> (any Channel, EventLoopFuture<TFTPPacket>) {
            let promise = group.next().makePromise(of: TFTPPacket.self)
            let channel = try await DatagramBootstrap(group: group)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(FirstPacket(first: promise))
                    }
                }
                .bind(host: "127.0.0.1", port: 0).get()
            // A safety net so a broken server fails the test instead of hanging it; not a timing assertion.
            group.next().scheduleTask(in: .seconds(20)) { promise.fail(ChannelError.ioOnClosedChannel) }
            return (channel, promise.futureResult)
        }

        func sendRequest(from client: any Channel) async throws {
            var buffer = client.allocator.buffer(capacity: 64)
            buffer.writeTFTPPacket(.readRequest(TFTPRequest(filename: "kernel", mode: .octet)))
            try await client.writeAndFlush(AddressedEnvelope(remoteAddress: serverChannel.localAddress!, data: buffer))
        }

        /// Polls `condition` every 10 ms for at most 5 s.
        func eventually(_ condition: () -> Bool) async throws -> Bool {
            for _ in 0..<500 {
                if condition() { return true }
                try await Task.sleep(for: .milliseconds(10))
            }
            return condition()
        }

        func stop(_ clients: [any Channel]) async throws {
            for client in clients { try await client.close() }
            try await serverChannel.close()
            try await server.shutdownTransfers()
            try await group.shutdownGracefully()
            unlink(root + "/kernel")
            rmdir(root)
        }
    }

    @Test func pastTheCapARequestGetsError0SayingTheServerIsBusy() async throws {
        let harness = try await Harness.start(maxTransfers: 1)
        let (first, firstReply) = try await harness.client()
        try await harness.sendRequest(from: first)
        #expect(try await firstReply.get() == .data(block: 1, payload: ByteBuffer(repeating: 7, count: 512)))
        let (second, secondReply) = try await harness.client()
        try await harness.sendRequest(from: second)
        #expect(
            try await secondReply.get()
                == .error(code: .undefined, message: "Server busy: 1 transfers running, try again later"))
        #expect(harness.server.transfers.snapshot.refusedBusy == 1)
        try await harness.stop([first, second])
    }

    @Test func aRepeatedRequestWhileTheTransferRunsIsIgnored() async throws {
        let harness = try await Harness.start(maxTransfers: 10)
        let (client, reply) = try await harness.client()
        try await harness.sendRequest(from: client)
        try await harness.sendRequest(from: client)
        #expect(try await reply.get() == .data(block: 1, payload: ByteBuffer(repeating: 7, count: 512)))
        #expect(try await harness.eventually { harness.server.transfers.snapshot.ignoredDuplicates == 1 })
        #expect(harness.server.transfers.snapshot.running.count == 1)
        try await harness.stop([client])
    }

    @Test func aRequestThatCannotBeServedHoldsNoSlot() async throws {
        let harness = try await Harness.start(maxTransfers: 1)
        let (client, reply) = try await harness.client()
        var buffer = client.allocator.buffer(capacity: 64)
        buffer.writeTFTPPacket(.readRequest(TFTPRequest(filename: "missing", mode: .octet)))
        try await client.writeAndFlush(
            AddressedEnvelope(remoteAddress: harness.serverChannel.localAddress!, data: buffer))
        #expect(try await reply.get() == .error(code: .fileNotFound, message: "File not found"))
        #expect(harness.server.transfers.snapshot.running.isEmpty)
        try await harness.stop([client])
    }

    @Test func undecodableDatagramsAreCountedAndAMalformedRequestGetsError4() async throws {
        let harness = try await Harness.start(maxTransfers: 10)
        let (client, reply) = try await harness.client()
        var request = client.allocator.buffer(capacity: 64)
        request.writeBytes([0, 1] + Array("kernel".utf8))  // an RRQ without its NULs
        try await client.writeAndFlush(
            AddressedEnvelope(remoteAddress: harness.serverChannel.localAddress!, data: request))
        #expect(try await reply.get() == .error(code: .illegalOperation, message: "Malformed request"))
        let garbage = client.allocator.buffer(bytes: [0, 42, 1, 2, 3])  // an unknown opcode: dropped silently
        try await client.writeAndFlush(
            AddressedEnvelope(remoteAddress: harness.serverChannel.localAddress!, data: garbage))
        #expect(try await harness.eventually { harness.server.malformedDatagrams == 2 })
        try await harness.stop([client])
    }
}
