import Foundation
import Inventory
import Logging
import Synchronization
import Systemd

/// Rebuilds the inventory from the profile folder and swaps it in whole, or keeps the old one and says why.
///
/// The configuration file is not re-read: a changed interface, port or pool needs sockets and an engine rebuilt,
/// which a restart does; reload is for profiles and templates, the files an admin edits all day.
final class InventoryReloader: Sendable {
    let loader: ApplianceLoader
    let config: ApplianceConfig
    let inventory: SharedInventory
    let notifier: ServiceNotifier
    let status: ApplianceStatus
    let logger: Logger
    private let serial = Mutex(())

    init(
        loader: ApplianceLoader, config: ApplianceConfig, inventory: SharedInventory, notifier: ServiceNotifier,
        status: ApplianceStatus, logger: Logger
    ) {
        self.loader = loader
        self.config = config
        self.inventory = inventory
        self.notifier = notifier
        self.status = status
        self.logger = logger
    }

    /// Reloads now; `reason` (`SIGHUP`, `profiles changed`) goes into the log.
    func reload(reason: String) {
        serial.withLock { _ in
            notifier.reloading(monotonicMicroseconds: Self.monotonicMicroseconds())
            let collector = DiagnosticCollector()
            let (loaded, profiles, _) = loader.loadInventory(config: config, collector: collector)
            let diagnostics = collector.diagnostics.sortedByLocation()
            if let loaded, !diagnostics.containsErrors {
                inventory.replace(with: loaded)
                for warning in diagnostics { logger.warning("\(warning.message)", metadata: Self.metadata(warning)) }
                status.recordReload("reload ok (\(reason))", machines: loaded.machines.count)
                logger.info(
                    "inventory reloaded",
                    metadata: [
                        "message_id": "\(ApplianceMessageID.reloadSucceeded)", "reason": "\(reason)",
                        "machines": "\(loaded.machines.count)", "profile_files": "\(profiles)",
                    ])
            } else {
                let errors = diagnostics.filter { $0.severity == .error }
                for error in errors {
                    logger.error(
                        "\(error.message)",
                        metadata: Self.metadata(error).merging([
                            "message_id": "\(ApplianceMessageID.reloadFailed)"
                        ]) { $1 })
                }
                status.recordReload(
                    "reload failed: \(errors.count) errors, previous inventory serving",
                    machines: nil)
                logger.error(
                    "reload failed; the previous inventory keeps serving",
                    metadata: [
                        "message_id": "\(ApplianceMessageID.reloadFailed)", "reason": "\(reason)",
                        "errors": "\(errors.count)",
                    ])
            }
            notifier.ready(status: status.line())
        }
    }

    /// `file`, `line`, `column` fields, so `journalctl FILE=profiles/web-01.yaml` finds the problem.
    static func metadata(_ diagnostic: Diagnostic) -> Logger.Metadata {
        [
            "file": "\(diagnostic.location.file)", "line": "\(diagnostic.location.line)",
            "column": "\(diagnostic.location.column)", "severity": "\(diagnostic.severity.rawValue)",
        ]
    }

    static func monotonicMicroseconds() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000 + UInt64(time.tv_nsec) / 1_000
    }
}
