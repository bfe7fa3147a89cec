import Inventory

/// Where a reply goes (RFC 2131 §4.1).
public enum DHCPDestination: Hashable, Sendable, CustomStringConvertible {
    /// To the relay agent (giaddr), server port 67.
    case relay(IPv4Address)
    /// To one address and port: a client that has its address (ciaddr, port 68) or a boot-server client (4011).
    case unicast(IPv4Address, port: Int)
    /// 255.255.255.255:68 on the interface the request came in on. Used instead of unicasting to yiaddr at chaddr:
    /// that needs an ARP entry injected (dnsmasq) or raw sockets (Kea), and every client accepts a broadcast reply.
    case broadcast

    public var description: String {
        switch self {
        case .relay(let address): return "relay \(address):67"
        case .unicast(let address, let port): return "\(address):\(port)"
        case .broadcast: return "255.255.255.255:68"
        }
    }
}

/// A reply ready to encode.
public struct DHCPReply: Sendable, Hashable {
    public var message: DHCPMessage
    public var destination: DHCPDestination
    /// The largest message the client accepts (option 57 less IP and UDP headers, or 548).
    public var maximumLength: Int
}

/// A change to the durable lease store. The adapter commits it before sending the reply that depends on it.
public enum LeaseChange: Sendable, Hashable {
    case bind(Lease)
    case release(Lease)
    case quarantine(Lease)
    /// An offered address held for its client until the lease's expiry. Only a store that several appliances share
    /// keeps it (`LeaseStore.sharesLeases`): there it is what stops another appliance offering the same address. A
    /// store of one appliance ignores it, and the adapter does not wait for it.
    case hold(Lease)
    /// The client took another server's offer: the hold ends (only if it is still an offer to that client).
    case releaseHold(Lease)

    /// The lease the change is about.
    public var lease: Lease {
        switch self {
        case .bind(let lease), .release(let lease), .quarantine(let lease), .hold(let lease),
            .releaseHold(let lease):
            return lease
        }
    }

    /// Whether only a shared store needs to see the change before the reply leaves.
    public var concernsSharedStoresOnly: Bool {
        switch self {
        case .hold, .releaseHold: return true
        case .bind, .release, .quarantine: return false
        }
    }
}

/// What a store that several appliances share made of one `LeaseChange`.
public enum LeaseCommitOutcome: Sendable, Hashable {
    /// Durable, as decided.
    case stored
    /// Not written: the address is held by another client (through another appliance). `standing` is what the store
    /// holds on and around that address, for the engine to learn (`DHCPEngine.learn`) before it decides again.
    case refused(standing: StoredLeases)
}

/// The stored leases of a range of addresses, as a shared store holds them at one moment: what an appliance learns
/// about the addresses other appliances gave out.
public struct StoredLeases: Sendable, Hashable {
    /// The addresses read, first to last.
    public var range: IPv4Range
    /// Every lease the store holds in `range`.
    public var leases: [Lease]
    /// The leases the client of the refused change holds, wherever they are: a client that comes back through
    /// another appliance keeps the address it holds.
    public var clientLeases: [Lease]

    public init(range: IPv4Range, leases: [Lease], clientLeases: [Lease] = []) {
        self.range = range
        self.leases = leases
        self.clientLeases = clientLeases
    }
}

/// The engine's answer to one request: what to store, what to send, what to log.
public struct DHCPDecision: Sendable {
    /// Commit first; send `reply` only once this is durable.
    public var leaseChange: LeaseChange?
    /// Undoes `leaseChange` in the engine's table when the store refuses it.
    public var rollback: LeaseRollback?
    public var reply: DHCPReply?
    public var event: DHCPEvent
    /// The decision refuses the client an address because the lease table says another client holds it. With a
    /// store that several appliances share, the table can be behind the store: the adapter then reads the store's
    /// leases on this address, lets the engine learn them, and decides once more before anything is sent.
    public var restsOnHolderOf: IPv4Address?
}

/// One exchange as the log records it (journal fields `MAC`, `IP`, `XID`, …).
public struct DHCPEvent: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case offered, acknowledged
        case negativelyAcknowledged = "nak"
        case released, declined, informed
        /// Not for this server (another server chosen, a subnet it does not serve, a non-PXE client in proxy mode).
        case ignored
        /// Malformed or unusable, counted as dropped.
        case dropped
        /// Over its per-MAC or per-relay rate limit: dropped without an answer (a NAK would only bring it back).
        case rateLimited = "rate-limited"
        /// A DISCOVER the pool has no free address for: no offer.
        case poolExhausted = "pool-exhausted"
    }

    public var kind: Kind
    public var mac: MACAddress?
    public var address: IPv4Address?
    public var transactionID: UInt32
    public var messageType: DHCPMessageType?
    /// `bios`, `efi-x64`, … for network-boot clients.
    public var architecture: String?
    public var hostname: String?
    public var profile: String?
    public var bootFile: String?
    /// Why, for ignored, dropped and NAKed requests.
    public var reason: String?
    /// The relay agent (giaddr) the request came through, if any.
    public var relay: IPv4Address?
    /// The client's own address (ciaddr), when the answer is no lease: the port-4011 boot server's.
    public var clientAddress: IPv4Address?
    /// What a rate-limited or pool-exhausted event is about (`mac …`, `relay …`, `link …`, `pool …`): its
    /// warnings are throttled per source.
    public var source: String?
}
