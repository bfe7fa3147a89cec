import Inventory

/// Where a request entered the server, for the per-relay limit: the relay agent that forwarded it (giaddr), or
/// the served interface it arrived on directly.
public enum DHCPRequestPath: Hashable, Sendable, CustomStringConvertible {
    case relay(IPv4Address)
    case link(String)

    public var description: String {
        switch self {
        case .relay(let address): return "relay \(address)"
        case .link(let interface): return "link \(interface)"
        }
    }
}

/// Decides whether a request is within its client's and its relay's budget: a pure state machine over two
/// bounded tables of token buckets, driven by the time it is given.
///
/// Requests over a limit are dropped, never NAKed: a NAK would make a client restart at once and send more.
/// Machines in the inventory are held to their per-MAC budget only, so a random-MAC flood through their relay
/// cannot starve them (spoofing a known MAC wins nothing but that machine's own budget).
public struct DHCPRateLimiter: Sendable {
    /// Which limit a request exceeded.
    public enum Verdict: Hashable, Sendable {
        case admitted
        case overMACLimit(DHCPRateLimit)
        case overRelayLimit(DHCPRequestPath, DHCPRateLimit)
    }

    private var macs: TokenBucketTable<MACAddress>
    private var paths: TokenBucketTable<DHCPRequestPath>

    /// `trackedClients` caps the per-MAC table, `trackedPaths` the per-relay one (giaddr is as easy to spoof).
    public init(trackedClients: Int = 10_000, trackedPaths: Int = 1_000) {
        macs = TokenBucketTable(capacity: trackedClients)
        paths = TokenBucketTable(capacity: trackedPaths)
    }

    /// MACs currently tracked; never above `trackedClients`.
    public var trackedClientCount: Int { macs.count }
    public var trackedPathCount: Int { paths.count }
    /// MAC buckets forgotten before they refilled, because the table was full (a flood of new MACs).
    public var evictedClients: Int { macs.evictedBeforeRefill }

    /// Admits a request from `mac` through `path` at `now` (monotonic) and charges both budgets, or charges
    /// neither and says which limit it is over. `isKnownMachine` skips the per-relay limit.
    public mutating func admit(
        mac: MACAddress, path: DHCPRequestPath, isKnownMachine: Bool,
        limits: DHCPRateLimits, at now: Duration
    ) -> Verdict {
        if let limit = limits.perMAC, !macs.allows(mac, limit, at: now) {
            macs.touch(mac, at: now)
            return .overMACLimit(limit)
        }
        let relayLimit = isKnownMachine ? nil : limits.perRelay
        if let limit = relayLimit, !paths.allows(path, limit, at: now) {
            macs.touch(mac, at: now)
            paths.touch(path, at: now)
            return .overRelayLimit(path, limit)
        }
        if let limit = limits.perMAC { macs.take(mac, limit, at: now) }
        if let limit = relayLimit { paths.take(path, limit, at: now) }
        return .admitted
    }
}
