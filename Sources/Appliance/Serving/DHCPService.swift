import DHCP
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// Runs the DHCP server as one service of the appliance's group: loads the leases, binds one channel per served
/// interface, and closes them on graceful shutdown (lease commits already under way finish first).
struct DHCPService: Service {
    let server: DHCPServer
    let group: any EventLoopGroup
    let logger: Logger

    func run() async throws {
        let running = try await server.start(on: group, threadPool: .singleton)
        try? await gracefulShutdown()
        logger.info("DHCP server stops answering")
        try await running.close().get()
    }
}
