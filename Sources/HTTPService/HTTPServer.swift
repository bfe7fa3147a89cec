import Inventory
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle
import TFTPService

/// What every connection of one server shares.
struct HTTPServerContext: Sendable {
    let configuration: HTTPServerConfiguration
    let root: TFTPRootDirectory?
    let inventory: @Sendable () -> Inventory
    let endpoints: any HTTPMachineEndpoints
    let addressBook: ClientAddressBook?
    let logger: Logger
    let counters: HTTPCounters
    let metrics: HTTPMetrics
}

/// The HTTP service's adapter: a SwiftNIO TCP listener with NIOHTTP1's codec, and `HTTPConnectionHandler` per
/// connection (docs/architecture.md says why NIOHTTP1 rather than a framework).
///
/// Routing, ranges and path rules are `HTTPCore`'s; the boot-file lookup is TFTP's (`TFTPFileResolver` and the
/// jailed `TFTPRootDirectory`), so a name means the same file over both protocols.
public struct HTTPServer: Sendable {
    public let configuration: HTTPServerConfiguration
    public let counters = HTTPCounters()
    let context: HTTPServerContext

    /// Resolves the root once; fails if it does not exist.
    public init(
        configuration: HTTPServerConfiguration, inventory: @escaping @Sendable () -> Inventory,
        endpoints: any HTTPMachineEndpoints, addressBook: ClientAddressBook?, logger: Logger
    ) throws(TFTPRootDirectoryError) {
        self.configuration = configuration
        let root = try configuration.rootPath.map { path throws(TFTPRootDirectoryError) in
            try TFTPRootDirectory(path: path)
        }
        context = HTTPServerContext(
            configuration: configuration, root: root, inventory: inventory, endpoints: endpoints,
            addressBook: addressBook, logger: logger, counters: counters, metrics: HTTPMetrics())
    }

    /// Binds the listening socket; the returned service serves until graceful shutdown.
    public func start(on group: any EventLoopGroup) async throws -> Running {
        let context = self.context
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            // Accept a boot storm's connections in few loop turns: at SwiftNIO's default of 4 per turn, each turn
            // also serves every writable connection, so the last clients of a storm waited long for their first byte
            // (bench/notes.md, "Time to first byte").
            .serverChannelOption(.maxMessagesPerRead, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                guard context.counters.openConnection(limit: context.configuration.maxConnections) else {
                    let refused = context.counters.countConnectionOverLimit()
                    context.counters.countRefused()
                    context.metrics.connectionOverLimit()
                    // 1, 10, 100, …: a flood is visible in the log without writing a line per connection.
                    if Self.isPowerOfTen(refused) {
                        context.logger.warning(
                            "HTTP connections over max_connections closed at once",
                            metadata: [
                                "refused_so_far": "\(refused)",
                                "max_connections": "\(context.configuration.maxConnections)",
                                "message_id": "\(HTTPMessageID.requestRefused)",
                            ])
                    }
                    return channel.close()
                }
                channel.closeFuture.whenComplete { _ in context.counters.closeConnection() }
                return channel.eventLoop.makeCompletedFuture {
                    try Self.configurePipeline(channel.pipeline.syncOperations, context: context)
                }
            }
            .bind(to: configuration.bindAddress).get()
        context.logger.info("HTTP server listening", metadata: ["address": "\(configuration.bindAddress)"])
        return Running(server: self, listener: channel)
    }

    static func isPowerOfTen(_ value: Int) -> Bool {
        var rest = value
        while rest > 1, rest % 10 == 0 { rest /= 10 }
        return rest == 1
    }

    static func configurePipeline(
        _ pipeline: ChannelPipeline.SynchronousOperations, context: HTTPServerContext
    ) throws {
        // The decoder's own ceiling sits above the handler's limit, so a head just over it gets the handler's 431;
        // one far over it is cut off by the decoder (400) before it is buffered whole.
        var limits = NIOHTTPDecoderLimitConfiguration()
        limits.maxHeaderFieldSize = context.configuration.maxHeaderBytes * 2
        limits.maxHeaderListSize = context.configuration.maxHeaderBytes * 2
        let activity = HTTPConnectionActivity()
        try pipeline.addHandler(HTTPActivityCounter(activity: activity))
        try pipeline.addHandler(HTTPResponseEncoder())
        try pipeline.addHandler(ByteToMessageHandler(HTTPRequestDecoder(limitConfiguration: limits)))
        try pipeline.addHandler(HTTPServerPipelineHandler())
        try pipeline.addHandler(HTTPServerProtocolErrorHandler())
        try pipeline.addHandler(HTTPConnectionHandler(server: context, activity: activity))
    }

    /// A bound HTTP server as a swift-service-lifecycle service.
    public struct Running: Service {
        public let server: HTTPServer
        let listener: any Channel

        /// The bound address (the port when 0 was asked for).
        public var localAddress: SocketAddress? { listener.localAddress }

        /// Waits for graceful shutdown, then stops accepting; open connections finish their response or are closed
        /// when the group's drain time runs out.
        public func run() async throws {
            try? await gracefulShutdown()
            server.context.logger.info("HTTP server stopping")
            try await listener.close()
            while server.counters.openConnections > 0, !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(100))
            }
        }
    }
}
