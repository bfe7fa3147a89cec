/// Token buckets by key (a MAC, a relay) in bounded memory.
///
/// A random-MAC flood creates a new key with every packet, so the table is capped at `capacity`. When a new key
/// finds it full, buckets that have refilled completely are forgotten first (a full bucket behaves exactly like
/// no bucket, so this changes no verdict); if that frees less than an eighth of the table, the least recently used
/// buckets go too, down to seven eighths. Evicting in batches keeps the cost per request constant on average.
/// A forgotten key starts again with a full burst: under a flood of more than `capacity` keys within one refill
/// time, the per-key limit weakens for the keys evicted — never for the others, and never by blocking a key.
struct TokenBucketTable<Key: Hashable & Sendable>: Sendable {
    let capacity: Int
    private var buckets: [Key: TokenBucket] = [:]
    /// Buckets dropped to stay within `capacity` while still below their burst.
    private(set) var evictedBeforeRefill = 0

    init(capacity: Int) {
        precondition(capacity >= 8, "a bucket table needs room for at least 8 keys")
        self.capacity = capacity
    }

    var count: Int { buckets.count }

    /// Whether `key` may send a request at `now` (an unknown key may).
    func allows(_ key: Key, _ limit: DHCPRateLimit, at now: Duration) -> Bool {
        buckets[key]?.allows(limit, at: now) ?? true
    }

    /// Records a refused request from `key`, so a client that keeps sending over its limit stays tracked (and
    /// limited) instead of looking idle and being evicted into a fresh burst.
    mutating func touch(_ key: Key, at now: Duration) {
        if let seen = buckets[key]?.lastSeen, seen < now { buckets[key]!.lastSeen = now }
    }

    /// Takes a token from `key`'s bucket, creating it (full) when missing.
    mutating func take(_ key: Key, _ limit: DHCPRateLimit, at now: Duration) {
        if buckets[key] == nil {
            if buckets.count >= capacity { evict(limit, at: now) }
            buckets[key] = TokenBucket(limit, at: now)
        }
        buckets[key]!.take(limit, at: now)
    }

    private mutating func evict(_ limit: DHCPRateLimit, at now: Duration) {
        buckets = buckets.filter { !$0.value.isFull(limit, at: now) }
        let target = capacity - capacity / 8
        guard buckets.count > target else { return }
        let oldest = buckets.sorted { $0.value.lastSeen < $1.value.lastSeen }.prefix(buckets.count - target)
        evictedBeforeRefill += oldest.count
        for (key, _) in oldest { buckets[key] = nil }
    }
}
