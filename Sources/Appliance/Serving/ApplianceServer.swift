import DHCP
import Inventory
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import TFTP

/// `rackboot serve`: the appliance's services in one swift-service-lifecycle group, sharing one inventory.
///
/// SIGTERM and SIGINT shut the group down gracefully. DHCP runs when at least one subnet names an interface;
/// otherwise Rackboot serves TFTP only, beside the network's existing DHCP server.
public struct ApplianceServer {
    public let config: ApplianceConfig
    public let inventory: SharedInventory
    public let logger: Logger
    public init(config: ApplianceConfig, inventory: SharedInventory, logger: Logger) {
        self.config = config
        self.inventory = inventory
        self.logger = logger
    }

    public func run() async throws {
        let group = MultiThreadedEventLoopGroup.singleton
        let shared = inventory
        let tftp = try TFTPServer(
            configuration: tftpConfiguration(), inventory: { shared.inventory }, logger: logger)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: TFTPService(server: tftp, group: group, logger: logger))
        ]
        let dhcpConfiguration = DHCPSetup.serverConfiguration(config)
        if dhcpConfiguration.interfaces.isEmpty {
            logger.warning("no subnet names an interface: DHCP is off, only TFTP is served")
        } else {
            let dhcp = DHCPServer(configuration: dhcpConfiguration, store: try DHCPSetup.openLeaseStore(config),
                                  inventory: { shared.inventory }, logger: logger)
            services.append(.init(service: DHCPService(server: dhcp, group: group, logger: logger)))
        }
        var configuration = ServiceGroupConfiguration(services: services, logger: logger)
        configuration.gracefulShutdownSignals = [.sigterm, .sigint]
        try await ServiceGroup(configuration: configuration).run()
    }

    func tftpConfiguration() throws -> TFTPServerConfiguration {
        let address = try SocketAddress(ipAddress: config.tftp.address.description, port: config.tftp.port)
        let limits = TFTPTransferLimits(
            blockSizeCeiling: config.tftp.maxBlockSize, windowSizeCeiling: config.tftp.maxWindowSize,
            maximumBytesInFlight: config.tftp.maxWindowBytes,
            defaultRetransmitTimeout: .seconds(Int64(config.tftp.retransmitTimeout)),
            maximumRetransmissions: config.tftp.retries)
        return TFTPServerConfiguration(bindAddress: address, rootPath: config.tftp.root, limits: limits)
    }
}
