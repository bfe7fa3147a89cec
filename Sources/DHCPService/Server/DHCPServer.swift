import DHCPCore
import Inventory
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// The SwiftNIO adapter of the DHCP server: one UDP channel per served interface (and a port-4011 channel where a
/// proxy subnet is served), all on one event loop that owns the engine. Every decision is the engine's.
public final class DHCPServer: Sendable {
    public let configuration: DHCPServerConfiguration
    private let store: any LeaseStore
    private let inventory: @Sendable () -> Inventory
    private let logger: Logger
    private let addressBook: ClientAddressBook?

    /// `addressBook` learns every acknowledged lease, so other services (TFTP's log) can name a client's MAC.
    public init(
        configuration: DHCPServerConfiguration, store: any LeaseStore,
        inventory: @escaping @Sendable () -> Inventory, logger: Logger, addressBook: ClientAddressBook? = nil
    ) {
        self.configuration = configuration
        self.addressBook = addressBook
        self.store = store
        self.inventory = inventory
        self.logger = logger
    }

    /// A running server: its channels and a way to read its counters. As a swift-service-lifecycle service it runs
    /// until graceful shutdown, then closes (`close()`).
    public struct Running: Service {
        public let channels: [any Channel]
        let logger: Logger
        let core: NIOLoopBound<DHCPServerCore>
        let sweep: RepeatedTask
        let checkpoints: RepeatedTask
        /// One thread for checkpoints, so a slow one never holds up a commit on `threadPool`.
        let checkpointPool: NIOThreadPool
        let store: any LeaseStore
        let threadPool: NIOThreadPool

        /// Succeeds when the server's event loop and the lease store (through the thread pool) both answer.
        public func checkHealth() -> EventLoopFuture<Void> {
            let store = store
            return core.eventLoop.submit {}.flatMap {
                threadPool.runIfActive(eventLoop: core.eventLoop) { try store.checkHealth() }
            }
        }

        /// Counters and the number of active leases, read on the server's loop.
        public func status() -> EventLoopFuture<(statistics: DHCPServerStatistics, activeLeases: Int)> {
            core.eventLoop.submit { (core.value.statistics, core.value.activeLeaseCount) }
        }

        /// How full each pool is now, read on the server's loop (for the metrics).
        public func poolUsage() -> EventLoopFuture<[PoolUsage]> {
            core.eventLoop.submit {
                let engine = core.value.engine
                return PoolUsage.of(engine.configuration.subnets, leases: engine.leases, at: DHCPServerCore.now())
            }
        }

        public func run() async throws {
            try? await gracefulShutdown()
            logger.info("DHCP server stopping")
            try await close().get()
        }

        /// Stops receiving, then waits until every lease change already decided is durable (its reply leaves
        /// as soon as it is: a reply's channel closes only after).
        public func close() -> EventLoopFuture<Void> {
            sweep.cancel()
            checkpoints.cancel()
            let core = core
            let channels = channels
            let checkpointPool = checkpointPool
            return core.eventLoop.submit { core.value.drainCommits() }.flatMap { $0 }.flatMap {
                EventLoopFuture.andAllComplete(channels.map { $0.close() }, on: core.eventLoop)
            }.map {
                core.value.stopCommitting()
            }.flatMap {
                let stopped = core.eventLoop.makePromise(of: Void.self)
                checkpointPool.shutdownGracefully { _ in stopped.succeed() }
                return stopped.futureResult
            }
        }
    }

    /// Loads the leases, then binds every channel.
    public func start(on group: any EventLoopGroup, threadPool: NIOThreadPool) async throws -> Running {
        let leases = try store.loadAll()
        let previous = try store.loadPreviousAddresses()
        for lease in leases where lease.state == .bound { addressBook?.record(lease.mac, at: lease.address) }
        let addressBook = addressBook
        let loop = group.next()
        let configuration = configuration
        let store = store
        let inventory = inventory
        let logger = logger
        let core = try await loop.submit {
            NIOLoopBound(
                DHCPServerCore(
                    engine: DHCPEngine(
                        configuration: configuration.engine,
                        leases: LeaseTable(leases, previous: previous)),
                    store: store, eventLoop: loop, threadPool: threadPool, inventory: inventory,
                    logger: logger, addressBook: addressBook,
                    dropWarningInterval: configuration.dropWarningInterval),
                eventLoop: loop)
        }.get()
        logger.info("DHCP leases loaded", metadata: ["count": "\(leases.count)", "previous": "\(previous.count)"])
        var channels: [any Channel] = []
        let networks = configuration.engine.subnets.map(\.network)
        for interface in configuration.interfaces {
            let address = try InterfaceBinding.address(of: interface, preferringIn: networks)
            channels.append(
                try await bind(
                    interface: interface, address: address, port: configuration.port,
                    isBootServerPort: false, core: core, loop: loop))
            if configuration.bootServerInterfaces.contains(interface) {
                channels.append(
                    try await bind(
                        interface: interface, address: address, port: 4011,
                        isBootServerPort: true, core: core, loop: loop))
            }
            logger.info(
                "DHCP server listening",
                metadata: [
                    "interface": "\(interface)", "ip": "\(address)", "port": "\(configuration.port)",
                ])
        }
        let interval = TimeAmount.seconds(configuration.expirySweepInterval)
        let sweep = loop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in
            core.value.sweepExpiredLeases()
        }
        let checkpointPool = NIOThreadPool(numberOfThreads: 1)
        checkpointPool.start()
        let checkpoints = loop.scheduleRepeatedTask(
            initialDelay: configuration.checkpointInterval, delay: configuration.checkpointInterval
        ) { _ in
            core.value.checkpointLeaseStore(on: checkpointPool)
        }
        return Running(
            channels: channels, logger: logger, core: core, sweep: sweep, checkpoints: checkpoints,
            checkpointPool: checkpointPool, store: store, threadPool: threadPool)
    }

    private func bind(
        interface: String, address: IPv4Address, port: Int, isBootServerPort: Bool,
        core: NIOLoopBound<DHCPServerCore>, loop: any EventLoop
    ) async throws -> any Channel {
        let clientPort = configuration.port + 1
        let logger = logger
        // Vector reads of up to 16 datagrams; the allocator must hold 16 of the largest, or NIO truncates silently.
        // Each slot is one byte larger than the largest accepted message, so an oversized datagram arrives (cut)
        // one byte too long and is refused as oversized instead of being decoded truncated.
        let messagesPerRead = 16
        let slot = DHCPMessage.maximumLength + 1
        return try await DatagramBootstrap(group: loop)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            .channelOption(.socketOption(.so_broadcast), value: 1)
            .channelOption(.datagramVectorReadMessageCount, value: messagesPerRead)
            .channelOption(
                .recvAllocator,
                value: FixedSizeRecvByteBufferAllocator(capacity: messagesPerRead * slot)
            )
            .channelInitializer { channel in
                InterfaceBinding.pin(channel, to: interface).flatMapThrowing {
                    try channel.pipeline.syncOperations.addHandler(
                        DHCPChannelHandler(
                            core: core.value, interface: interface, serverAddress: address,
                            isBootServerPort: isBootServerPort, clientPort: clientPort, logger: logger))
                }
            }
            .bind(host: "0.0.0.0", port: port)
            .get()
    }
}
