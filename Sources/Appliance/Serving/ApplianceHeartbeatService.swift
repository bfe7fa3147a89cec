import Dispatch
import Logging
import PostgresStorage
import ServiceLifecycle

/// Renews this appliance's `last_seen` in the shared database every `interval`, so that `rackboot leases` can tell
/// the appliances that run from those that stopped. A failed renewal is a debug line only: the lease store already
/// reports an unreachable database.
struct ApplianceHeartbeatService: Service {
    let database: SharedDatabase
    let logger: Logger
    var interval: Duration = .seconds(10)

    func run() async throws {
        let session = try database.session(logger: logger)
        defer { session.close() }
        let name = database.applianceName
        let queue = DispatchQueue(label: "rackboot.appliance-heartbeat")
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: interval)
                let result: Result<Void, any Error> = await withCheckedContinuation { continuation in
                    queue.async {
                        continuation.resume(
                            returning: Result { try PostgresAppliances.heartbeat(name, session: session) })
                    }
                }
                if case .failure(let error) = result {
                    logger.debug(
                        "appliance heartbeat not written",
                        metadata: ["reason": "\(PostgresErrorText.describe(error))"])
                }
            }
        }
    }
}
