import Inventory
import Logging
import NIOCore
import ServiceLifecycle
import TFTP

/// Runs the TFTP server as one service of the appliance's group: binds the request port, and on graceful shutdown
/// stops accepting requests (running transfers finish on their own channels).
struct TFTPService: Service {
    let server: TFTPServer
    let group: any EventLoopGroup
    let logger: Logger

    func run() async throws {
        let channel = try await server.bind(on: group).get()
        logger.info("TFTP server listening", metadata: ["address": "\(server.configuration.bindAddress)"])
        try await gracefulShutdown()
        logger.info("TFTP server stops accepting requests")
        try await channel.close()
    }
}
