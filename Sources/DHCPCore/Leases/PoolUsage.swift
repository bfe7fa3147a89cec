import Inventory

/// How full one address pool is at a moment: what an admin watches to see a pool run out before DISCOVERs go
/// unanswered.
public struct PoolUsage: Sendable, Hashable {
    public var pool: IPv4Range
    /// Active bound leases in the pool.
    public var leased: Int
    /// Addresses held without a lease: offered and waiting for the REQUEST, or quarantined after a DECLINE.
    public var held: Int
    /// What a new client could still get.
    public var free: Int { pool.count - leased - held }

    /// The usage of every pool of `subnets`, in configuration order, from the active entries of `leases` at `now`.
    /// Expired entries count as free: the engine hands them out again.
    public static func of(_ subnets: [DHCPServedSubnet], leases: LeaseTable, at now: Int64) -> [PoolUsage] {
        var usages = subnets.flatMap(\.pools).map { PoolUsage(pool: $0, leased: 0, held: 0) }
        for lease in leases.leases where lease.isActive(at: now) {
            guard let index = usages.firstIndex(where: { $0.pool.contains(lease.address) }) else { continue }
            if lease.state == .bound { usages[index].leased += 1 } else { usages[index].held += 1 }
        }
        return usages
    }
}
