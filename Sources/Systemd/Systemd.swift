import CSystemd

/// Namespace of the systemd integration (issue #5): the `sd_notify` notifier, the watchdog service and the
/// journald `LogHandler` will live in this module.
///
/// Only the link to libsystemd exists so far, proved by `watchdogRequested()`.
public enum Systemd {
    /// Asks libsystemd whether the service manager expects watchdog pings; proves the C library links.
    ///
    /// - Returns: `true` when `$WATCHDOG_USEC` is set for this process.
    public static func watchdogRequested() -> Bool {
        var usec: UInt64 = 0
        return sd_watchdog_enabled(0, &usec) > 0
    }
}
