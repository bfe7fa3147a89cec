import Logging
import ServiceLifecycle

/// A server already bound before the group starts (so `READY=1` means bound): it waits for graceful shutdown,
/// then runs `close`, which stops taking requests and finishes what is under way.
struct ChannelService: Service {
    let name: String
    let close: @Sendable () async throws -> Void
    let logger: Logger

    func run() async throws {
        try? await gracefulShutdown()
        logger.info("\(name) server stopping")
        try await close()
    }
}
