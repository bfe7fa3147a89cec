/// A token bucket: it holds up to `burst` tokens, refills at `rate` tokens a second, and each admitted request
/// takes one. Pure: the time is a parameter, a monotonic `Duration` since any fixed origin.
struct TokenBucket: Sendable, Hashable {
    private(set) var tokens: Double
    /// When `tokens` was last brought up to date.
    private(set) var updated: Duration
    /// The last request seen, admitted or not: what least-recently-used eviction goes by.
    var lastSeen: Duration

    /// A full bucket: a client never seen before may send a whole burst.
    init(_ limit: DHCPRateLimit, at now: Duration) {
        tokens = Double(limit.burst)
        updated = now
        lastSeen = now
    }

    /// The tokens it would hold at `now`; time that runs backwards adds nothing.
    func tokens(_ limit: DHCPRateLimit, at now: Duration) -> Double {
        let elapsed = max(0, (now - updated).seconds)
        return min(Double(limit.burst), tokens + elapsed * limit.rate)
    }

    /// Whether a request at `now` would be admitted.
    func allows(_ limit: DHCPRateLimit, at now: Duration) -> Bool { tokens(limit, at: now) >= 1 }

    /// Whether it has refilled completely by `now`: then it is no different from a bucket never created.
    func isFull(_ limit: DHCPRateLimit, at now: Duration) -> Bool { tokens(limit, at: now) >= Double(limit.burst) }

    /// Takes one token at `now`; the caller checked `allows`.
    mutating func take(_ limit: DHCPRateLimit, at now: Duration) {
        tokens = max(0, tokens(limit, at: now) - 1)
        updated = max(updated, now)
        lastSeen = max(lastSeen, now)
    }
}

extension Duration {
    var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
