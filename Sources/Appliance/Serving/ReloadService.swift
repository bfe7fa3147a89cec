import Logging
import ServiceLifecycle
import UnixSignals

/// Reloads the inventory on SIGHUP (`systemctl reload rackboot`) and when the profile files change, checked every
/// `pollInterval`; a change is applied once the files have stopped changing for one interval, so a half-copied
/// folder is not loaded.
struct ReloadService: Service {
    let reloader: InventoryReloader
    let profileDirectory: String
    let pollInterval: Duration

    func run() async throws {
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        let reloader = reloader
        let directory = profileDirectory
        let interval = pollInterval
        // Graceful shutdown cancels both loops: that ends the service, it is not a failure.
        try? await cancelWhenGracefulShutdown {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await _ in hangups { reloader.reload(reason: "SIGHUP") }
                }
                group.addTask {
                    var applied = ProfileFingerprint(directory: directory)
                    var seen = applied
                    while !Task.isCancelled {
                        try await Task.sleep(for: interval)
                        let now = ProfileFingerprint(directory: directory)
                        if now == seen, now != applied {
                            reloader.reload(reason: "profiles changed")
                            applied = now
                        }
                        seen = now
                    }
                }
                try await group.next()
                group.cancelAll()
            }
        }
    }
}
