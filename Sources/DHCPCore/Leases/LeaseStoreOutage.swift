/// One stretch of time in which the lease store refuses commits (a full disk, a read-only remount), so that the log
/// says so once, clearly, reminds at most once a minute with a count, and says when it is over, instead of one
/// error per client retrying. Pure: the caller passes the time.
public struct LeaseStoreOutage: Sendable, Hashable {
    /// What the log should say about a failed commit.
    public enum Report: Sendable, Hashable {
        /// The first failure after the store last worked: log it as an error with its reason.
        case began
        /// Still failing; `failures` lease changes refused so far in this outage.
        case stillFailing(failures: Int)
        /// Counted, not logged (a reminder was logged less than `reminderInterval` ago).
        case quiet
    }

    /// Seconds between two reminders while the outage lasts.
    public var reminderInterval: Int64
    /// Lease changes refused since the outage began; 0 while the store works.
    public private(set) var failures = 0
    /// When the outage began (seconds since the epoch), `nil` while the store works.
    public private(set) var since: Int64?
    /// The latest failure's reason, for the status line.
    public private(set) var reason: String?
    private var lastReport: Int64 = 0

    public init(reminderInterval: Int64 = 60) {
        self.reminderInterval = reminderInterval
    }

    public var isOngoing: Bool { since != nil }

    /// For the status line during an outage: `lease store failing: 12 lease changes refused, no leases
    /// acknowledged (…reason…)`; `nil` while the store works.
    public var summary: String? {
        guard isOngoing else { return nil }
        return "lease store failing: \(failures) lease change\(failures == 1 ? "" : "s") refused, no leases "
            + "acknowledged (\(reason ?? "unknown reason"))"
    }

    /// Counts one refused lease change.
    public mutating func failed(at now: Int64, reason: String) -> Report {
        failures += 1
        self.reason = reason
        guard since != nil else {
            since = now
            lastReport = now
            return .began
        }
        guard now - lastReport >= reminderInterval else { return .quiet }
        lastReport = now
        return .stillFailing(failures: failures)
    }

    /// A commit went through: returns how many changes the outage it ends refused, or `nil` if there was none.
    public mutating func succeeded() -> Int? {
        guard since != nil else { return nil }
        defer { self = LeaseStoreOutage(reminderInterval: reminderInterval) }
        return failures
    }
}
