import CSystemd

/// Tells the service manager about the service's state through `sd_notify(3)` (READY, STATUS, WATCHDOG,
/// RELOADING, STOPPING). Without `$NOTIFY_SOCKET` every call does nothing, so the same binary runs by hand.
public struct ServiceNotifier: Sendable {
    /// Whether a service manager listens (`$NOTIFY_SOCKET` is set).
    public let isActive: Bool

    public init(environment: [String: String]) {
        isActive = environment["NOTIFY_SOCKET"] != nil
    }

    /// `READY=1`: start-up is finished, the sockets are bound; also the end of a reload.
    public func ready(status: String) {
        send(["READY=1", "STATUS=" + status])
    }

    /// `STATUS=`: a one-line summary `systemctl status` shows.
    public func status(_ text: String) {
        send(["STATUS=" + text])
    }

    /// `WATCHDOG=1`: the service is alive. Send only after checking that it really is.
    public func watchdog() {
        send(["WATCHDOG=1"])
    }

    /// `RELOADING=1` with the CLOCK_MONOTONIC time in microseconds, as `Type=notify-reload` requires.
    public func reloading(monotonicMicroseconds: UInt64) {
        send(["RELOADING=1", "MONOTONIC_USEC=\(monotonicMicroseconds)", "STATUS=reloading the inventory"])
    }

    /// `STOPPING=1`: shutdown has begun.
    public func stopping(status: String) {
        send(["STOPPING=1", "STATUS=" + status])
    }

    private func send(_ assignments: [String]) {
        guard isActive else { return }
        // A newline inside a value would start a new assignment; status texts are ours, but stay safe.
        let text = assignments.map {
            $0.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: " ")
        }
        .joined(separator: "\n")
        _ = sd_notify(0, text)
    }

    /// The watchdog interval the manager asked for (`WatchdogSec=`), or `nil` when none is set for this process.
    public static func watchdogInterval() -> Duration? {
        var microseconds: UInt64 = 0
        guard sd_watchdog_enabled(0, &microseconds) > 0, microseconds > 0 else { return nil }
        return .microseconds(Int64(microseconds))
    }
}
