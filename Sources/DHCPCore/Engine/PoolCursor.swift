import Inventory

/// Where a subnet's search for an address nobody holds or remembers stands, so a DISCOVER costs about the same
/// however many leases and memories the table holds (see `LeaseTable.firstAvailable`).
struct PoolCursor: Sendable {
    /// Where the next search starts: just after the last address it found.
    var next: IPv4Address?
    /// The table's `freedGeneration` and the second at which a whole search found nothing. Until an address is
    /// freed or the clock moves on (an offer's hold ending frees its address without changing the table), a new
    /// search would find nothing either, so the DISCOVER goes straight to the oldest memory: an exhausted pool
    /// costs one scan per second, not one per DISCOVER.
    var exhaustedAt: (generation: UInt64, now: Int64)?

    init() {}

    /// A cursor whose first search starts `fraction` (0 to 1) of the way through `pools`' addresses.
    init(starting fraction: Double, in pools: [IPv4Range]) {
        let sizes = pools.map { UInt64($0.last.rawValue - $0.first.rawValue) + 1 }
        var offset = UInt64((Double(sizes.reduce(0, +)) * min(max(fraction, 0), 1)).rounded(.down))
        for (pool, size) in zip(pools, sizes) {
            guard offset >= size else {
                next = IPv4Address(rawValue: pool.first.rawValue + UInt32(offset))
                return
            }
            offset -= size
        }
    }

    func isKnownExhausted(generation: UInt64, now: Int64) -> Bool {
        exhaustedAt.map { $0.generation == generation && $0.now == now } ?? false
    }
}
