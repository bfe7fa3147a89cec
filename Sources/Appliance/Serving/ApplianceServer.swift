import DHCPCore
import DHCPService
import Foundation
import HTTPService
import Inventory
import LifecycleService
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Systemd
import TFTPCore
import TFTPService

/// `rackboot serve`: binds the servers, tells systemd it is ready, then runs every service in one
/// swift-service-lifecycle group over one shared inventory.
///
/// SIGTERM and SIGINT shut the group down gracefully, in reverse order of the services: `STOPPING=1` first, then
/// reloads and the watchdog stop, DHCP stops answering once its pending lease commits are durable, and TFTP stops
/// taking requests; whatever is still running after `drainTime` is cancelled. DHCP runs when a subnet names an
/// interface; with none, Rackboot serves TFTP only, beside the network's own DHCP server.
public struct ApplianceServer {
    public let loader: ApplianceLoader
    public let config: ApplianceConfig
    public let inventory: SharedInventory
    public let logger: Logger
    public var notifier = ServiceNotifier(environment: ProcessInfo.processInfo.environment)
    /// How long a graceful stop may take before what is left is cancelled.
    public var drainTime: Duration = .seconds(10)
    /// How often the profile folder is checked for changes.
    public var profilePollInterval: Duration = .seconds(2)

    public init(loader: ApplianceLoader, config: ApplianceConfig, inventory: SharedInventory, logger: Logger) {
        self.loader = loader
        self.config = config
        self.inventory = inventory
        self.logger = logger
    }

    public func run() async throws {
        let group = MultiThreadedEventLoopGroup.singleton
        // Before any service is made: each makes its metrics as it starts.
        let registry = MetricsBootstrap.prometheusRegistry()
        // The control socket lives there whichever store keeps the leases.
        try FileManager.default.createDirectory(
            atPath: config.stateDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o750])
        let database = try SharedDatabase(config)
        var dhcpConfiguration = DHCPSetup.serverConfiguration(config)
        if let database {
            let ordinal = try database.prepare(logger: logger)
            dhcpConfiguration.engine.poolSearchStart = DHCPEngineConfiguration.poolSearchStart(ordinal: ordinal)
            logger.info(
                "leases and machine state in the shared database",
                metadata: [
                    "database": "\(database.endpoint)", "appliance": "\(database.applianceName)",
                    "appliance_ordinal": "\(ordinal)",
                ])
        }
        let shared = inventory
        let book = try MachineLifecycleBook(
            store: MachineState.openStore(config, logger: logger), logger: logger,
            now: { Int64(Date().timeIntervalSince1970) }, installedChanged: { shared.setInstalled($0) })
        let addressBook = ClientAddressBook(acknowledged: { mac, address in
            MachineActivity.dhcpAcknowledged(mac, address, inventory: shared, book: book)
        })
        let activity = MachineActivity(inventory: shared, book: book, addressBook: addressBook)
        var tftpSettings = try tftpConfiguration()
        tftpSettings.addressBook = addressBook
        tftpSettings.transferCompleted = { path, isRendered, client, mac in
            activity.fileServed(path: path, isRendered: isRendered, client: client, mac: mac)
        }
        let tftpService = try await TFTPServer(
            configuration: tftpSettings, inventory: { shared.inventory }, logger: logger
        ).start(on: group)
        let tftp = tftpService.server

        var dhcp: DHCPServer.Running?
        if dhcpConfiguration.interfaces.isEmpty {
            logger.warning("no subnet names an interface: DHCP is off, only TFTP is served")
        } else {
            let server = DHCPServer(
                configuration: dhcpConfiguration,
                store: try DHCPSetup.openLeaseStore(config, shared: database, logger: logger),
                inventory: { shared.inventory }, logger: logger, addressBook: addressBook)
            dhcp = try await server.start(on: group, threadPool: .singleton)
        }

        let metrics = MetricsScrape(registry: registry, dhcp: dhcp, tftp: tftp, inventory: shared, book: book)
        var http: HTTPServer.Running?
        if let settings = config.http {
            let server = try HTTPServer(
                configuration: httpConfiguration(settings), inventory: { shared.inventory },
                endpoints: MachineEndpoints(activity: activity, metricsScrape: metrics), addressBook: addressBook,
                logger: logger)
            metrics.attach(server)
            http = try await server.start(on: group)
        }
        let control = try await ControlSocket.bind(
            path: ControlSocket.socketPath(stateDirectory: config.stateDirectory), inventory: shared, book: book,
            logger: logger, on: group)

        let status = ApplianceStatus(machines: inventory.inventory.machines.count)
        notifier.ready(status: status.line())
        logger.info("ready", metadata: ["status": "\(status.line())"])

        let reloader = InventoryReloader(
            loader: loader, config: config, inventory: inventory, notifier: notifier,
            status: status, logger: logger)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: LifecycleFlushService(book: book)), .init(service: tftpService),
        ]
        if let database {
            services.append(.init(service: ApplianceHeartbeatService(database: database, logger: logger)))
        }
        if let http { services.append(.init(service: http)) }
        if let dhcp { services.append(.init(service: dhcp)) }
        services.append(.init(service: control))
        services.append(
            .init(
                service: ReloadService(
                    reloader: reloader, profileDirectory: config.profileDirectory,
                    pollInterval: profilePollInterval)))
        if let interval = ServiceNotifier.watchdogInterval() {
            services.append(
                .init(
                    service: WatchdogService(
                        notifier: notifier, interval: interval,
                        probes: probes(group: group, dhcp: dhcp, tftp: tftp), logger: logger)))
        }
        #if RACKBOOT_FAULT_INJECTION
            if ProcessInfo.processInfo.environment["RACKBOOT_FAULT_INJECTION"] == "1" {
                services.append(.init(service: FaultInjectionService(group: group, logger: logger)))
            }
        #endif
        services.append(
            .init(
                service: StatusService(
                    notifier: notifier, status: status, dhcp: dhcp, tftp: tftp, http: http?.server, book: book)))

        var configuration = ServiceGroupConfiguration(services: services, logger: logger)
        configuration.gracefulShutdownSignals = [.sigterm, .sigint]
        configuration.maximumGracefulShutdownDuration = drainTime
        try await ServiceGroup(configuration: configuration).run()
        logger.info("stopped")
    }

    /// Every event loop of the group, every TFTP transfer thread, and the DHCP loop with the lease store behind it.
    private func probes(
        group: MultiThreadedEventLoopGroup, dhcp: DHCPServer.Running?, tftp: TFTPServer
    ) -> [LivenessProbe] {
        var probes = group.makeIterator().enumerated().map { index, loop in
            LivenessProbe(name: "event loop \(index)", check: { loop.submit {} })
        }
        let loop = group.next()
        probes += (0..<tftp.transferThreadCount).map { index in
            LivenessProbe(name: "TFTP transfer thread \(index)", check: { tftp.checkTransferThread(index, on: loop) })
        }
        if let dhcp {
            probes.append(LivenessProbe(name: "lease store", check: { dhcp.checkHealth() }))
        }
        return probes
    }

    func httpConfiguration(_ settings: HTTPSettings) throws -> HTTPServerConfiguration {
        var configuration = HTTPServerConfiguration(
            bindAddress: try SocketAddress(ipAddress: settings.address.description, port: settings.port),
            rootPath: config.tftp.root)
        configuration.maxConnections = settings.maxConnections
        configuration.requestTimeout = .seconds(Int64(settings.requestTimeout))
        configuration.sendStallTimeout = .seconds(Int64(settings.sendTimeout))
        return configuration
    }

    func tftpConfiguration() throws -> TFTPServerConfiguration {
        let address = try SocketAddress(ipAddress: config.tftp.address.description, port: config.tftp.port)
        let limits = TFTPTransferLimits(
            blockSizeCeiling: config.tftp.maxBlockSize, windowSizeCeiling: config.tftp.maxWindowSize,
            maximumBytesInFlight: config.tftp.maxWindowBytes,
            defaultRetransmitTimeout: .seconds(Int64(config.tftp.retransmitTimeout)),
            maximumRetransmissions: config.tftp.retries)
        var configuration = TFTPServerConfiguration(
            bindAddress: address, rootPath: config.tftp.root, limits: limits, maxTransfers: config.tftp.maxTransfers)
        configuration.transferThreads = config.tftp.transferThreads
        configuration.transferIO = config.tftp.transferIO
        configuration.busyPollMicroseconds = config.tftp.busyPollMicroseconds
        return configuration
    }
}
