import Inventory
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import TFTP

/// `rackboot serve`: the appliance's services in one swift-service-lifecycle group, sharing one inventory.
///
/// SIGTERM and SIGINT shut the group down gracefully. The DHCP server is not part of it yet (issue #4): until it
/// is, Rackboot serves TFTP beside the network's existing DHCP server.
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
        var configuration = ServiceGroupConfiguration(
            services: [.init(service: TFTPService(server: tftp, group: group, logger: logger))], logger: logger)
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
        return TFTPServerConfiguration(
            bindAddress: address, rootPath: config.tftp.root, limits: limits, maxTransfers: config.tftp.maxTransfers)
    }
}
