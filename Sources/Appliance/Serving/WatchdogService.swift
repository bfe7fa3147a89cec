import CoreMetrics
import Logging
import ServiceLifecycle
import Systemd

/// Sends `WATCHDOG=1` every half watchdog interval, but only when every probe (each event loop, the lease store)
/// answered in time. A stuck loop therefore stops the pings, and systemd restarts the service (`WatchdogSec=`);
/// a timer that pinged regardless would hide exactly the hang the watchdog exists for.
struct WatchdogService: Service {
    let notifier: ServiceNotifier
    let interval: Duration
    let probes: [LivenessProbe]
    let logger: Logger

    func run() async throws {
        let period = interval / 2
        let pings = Counter(label: "rackboot_watchdog_pings_total")
        let missed = Counter(label: "rackboot_watchdog_missed_pings_total")
        // Graceful shutdown cancels the loop: that ends the service, it is not a failure.
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: period)
                var silent: [String] = []
                for probe in probes where !(await probe.answers(within: period / 2)) {
                    silent.append(probe.name)
                }
                if silent.isEmpty {
                    notifier.watchdog()
                    pings.increment()
                } else {
                    missed.increment()
                    logger.error(
                        "watchdog: not telling systemd the service is alive",
                        metadata: [
                            "reason": "\(silent.joined(separator: ", ")) did not answer within \(period / 2)"
                        ])
                }
            }
        }
    }
}
