import Inventory
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import TFTPCore

/// The TFTP server's adapter: one listening SwiftNIO UDP channel for requests, and a socket per transfer run by
/// `TFTPTransferPump` threads (docs/tftp-io.md says why transfers bypass NIO).
///
/// It decides nothing itself: file choice is `TFTPFileProvider`, every protocol decision is `TFTPReadTransfer`.
/// The inventory is read through a closure on every request, so a reload's new snapshot applies to the next RRQ
/// while running transfers keep the bytes they started with.
public struct TFTPServer: Sendable {
    public let configuration: TFTPServerConfiguration
    private let files: TFTPFileProvider
    private let inventory: @Sendable () -> Inventory
    let logger: Logger
    /// Running transfers and the cap on them; one per server, shared by its listener and transfer channels.
    let transfers: TFTPActiveTransfers
    /// The threads that run transfers; started by `bind`, stopped by `shutdownTransfers`.
    let pumps: TFTPTransferPumps
    let metrics = TFTPMetrics()

    /// Resolves the root once (its real path anchors the jail); fails if it does not exist.
    public init(
        configuration: TFTPServerConfiguration, inventory: @escaping @Sendable () -> Inventory, logger: Logger
    ) throws(TFTPRootDirectoryError) {
        self.configuration = configuration
        self.files = TFTPFileProvider(
            root: try configuration.rootPath.map { path throws(TFTPRootDirectoryError) in
                try TFTPRootDirectory(path: path)
            })
        self.inventory = inventory
        self.logger = logger
        self.transfers = TFTPActiveTransfers(capacity: configuration.maxTransfers)
        self.pumps = TFTPTransferPumps(
            count: configuration.transferThreads ?? System.coreCount, io: configuration.transferIO,
            busyPollMicroseconds: configuration.busyPollMicroseconds)
    }

    /// Transfers running now, for the status line and a graceful stop's drain.
    public var transfersInFlight: Int { transfers.snapshot.running.count }

    /// Undecodable datagrams dropped since the server started (request port and transfer ports), for the status
    /// line.
    public var malformedDatagrams: Int { transfers.malformedDatagrams }

    /// Transfers ended because the client's address answered unreachable, since the server started.
    public var clientsGone: Int { pumps.clientsGone }

    /// Binds the request port and starts the transfer threads: the returned service runs until graceful shutdown,
    /// then drains. Binding happens here, before the service group runs, so `READY=1` means the port is bound.
    public func start(on group: any EventLoopGroup) async throws -> Running {
        let channel = try await bindRequestPort(on: group).get()
        logger.info("TFTP server listening", metadata: ["address": "\(configuration.bindAddress)"])
        return Running(server: self, requestPort: channel)
    }

    /// A bound TFTP server as a swift-service-lifecycle service.
    public struct Running: Service {
        public let server: TFTPServer
        let requestPort: any Channel

        /// Waits for graceful shutdown, then stops taking requests and lets running transfers finish; what is
        /// still running when the group cancels the drain (its shutdown deadline) is ended.
        public func run() async throws {
            try? await gracefulShutdown()
            server.logger.info("TFTP server stopping")
            try await requestPort.close()
            while server.transfersInFlight > 0, !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(100))
            }
            try await server.shutdownTransfers()
        }
    }

    /// Binds the request port and starts the transfer threads. Closing the returned channel stops new transfers;
    /// running ones finish on their own, until `shutdownTransfers`.
    func bindRequestPort(on group: any EventLoopGroup) -> EventLoopFuture<any Channel> {
        pumps.start()
        if let reason = TFTPTransferPoller.ringUnavailableReason(for: configuration.transferIO) {
            logger.info("TFTP transfers wait with epoll", metadata: ["reason": "\(reason)"])
        } else {
            logger.info("TFTP transfers wait with io_uring")
        }
        let pumps = pumps
        let configuration = configuration
        let files = files
        let inventory = inventory
        let logger = logger
        let transfers = transfers
        return DatagramBootstrap(group: group)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            .channelOption(.receivePacketInfo, value: true)
            // Whole datagrams up to the UDP maximum: NIO's default 2,048-byte buffer cut longer requests short,
            // so they decoded as a different error than the one they carry.
            .channelOption(
                .recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: TFTPRequestHandler.receiveCapacity)
            )
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        TFTPRequestHandler(
                            configuration: configuration, files: files, inventory: inventory, transfers: transfers,
                            pumps: pumps, metrics: metrics, logger: logger))
                }
            }
            .bind(to: configuration.bindAddress)
    }

    /// Threads that run transfers, for the watchdog's probes.
    public var transferThreadCount: Int { pumps.count }

    /// Succeeds when transfer thread `index` turned its loop; a blocked thread never answers (the watchdog races it
    /// against a timer).
    public func checkTransferThread(_ index: Int, on eventLoop: any EventLoop) -> EventLoopFuture<Void> {
        pumps.check(index, on: eventLoop)
    }

    /// Ends the transfers still running (each logs that the server stopped it) and joins the transfer threads.
    /// Call it after the request channel closed and the drain is over.
    public func shutdownTransfers() async throws {
        try await pumps.shutdown()
    }
}
