import DHCPCore
import Inventory

/// Where bound leases outlive the process. The server commits each change before the reply that depends on it
/// leaves, so a crash at any instant loses no lease a client was told about.
public protocol LeaseStore: Sendable {
    /// Every stored lease (bound and quarantined), to rebuild the `LeaseTable` at start.
    func loadAll() throws -> [Lease]
    /// Every remembered previous address (released and expired leases), to rebuild the `LeaseTable` at start.
    func loadPreviousAddresses() throws -> [PreviousAddress]
    /// Applies `changes` in order as one durable transaction: when this returns, they survive a crash of the
    /// process, and a power loss too unless the store was opened with weaker durability (`LeaseDurability`).
    /// Callers group the changes that arrive while a commit runs, so one fsync serves many clients.
    func commit(_ changes: [LeaseChange]) throws
    /// Deletes leases that expired before `time`, remembering each bound one as its client's previous address;
    /// returns how many.
    @discardableResult
    func removeExpired(before time: Int64) throws -> Int
    /// Throws unless the store answers a trivial query: what the watchdog asks before telling systemd "alive".
    func checkHealth() throws
    /// Moves committed data to its final place without holding up commits (a WAL checkpoint); the server calls it
    /// about once a second from a thread of its own.
    func checkpoint(rounds: Int) throws -> LeaseCheckpoint
    /// True when `commit` waits for the disk (an fsync), false when it ends in the page cache. The server treats
    /// both alike, on its lease-commit thread (never on the event loop); this tells operators and tests which one
    /// a store is.
    var commitWaitsForDisk: Bool { get }

    /// True when several appliances share the store (PostgreSQL): it keeps offer holds (`LeaseChange.hold`), and it
    /// refuses a change on an address another appliance holds (`apply`), so the adapter commits holds before their
    /// offers leave and has the engine learn and decide again when a change is refused.
    var sharesLeases: Bool { get }
    /// `commit`, reporting per change whether it took effect: one outcome per change, in order. Throws, with
    /// nothing written, when the store cannot commit at all.
    func apply(_ changes: [LeaseChange]) throws -> [LeaseCommitOutcome]
    /// The leases the store holds on `address` and the addresses near it, for an engine whose refusal rests on a
    /// holder it may have stale news of (`DHCPDecision.restsOnHolderOf`).
    func storedLeases(around address: IPv4Address) throws -> StoredLeases
}

extension LeaseStore {
    /// A store that keeps no previous addresses: returning clients then get whatever is free.
    public func loadPreviousAddresses() throws -> [PreviousAddress] { [] }

    /// A store without a write-ahead log has nothing to checkpoint.
    public func checkpoint(rounds: Int) throws -> LeaseCheckpoint { LeaseCheckpoint(walPages: 0, pagesCopied: 0) }

    /// Unless a store says otherwise, its commits wait for the disk.
    public var commitWaitsForDisk: Bool { true }

    /// A store of one appliance: nobody else writes it.
    public var sharesLeases: Bool { false }

    /// A store nobody else writes refuses nothing.
    public func apply(_ changes: [LeaseChange]) throws -> [LeaseCommitOutcome] {
        try commit(changes)
        return changes.map { _ in .stored }
    }

    /// The stored lease on `address` alone, read from everything stored.
    public func storedLeases(around address: IPv4Address) throws -> StoredLeases {
        StoredLeases(
            range: IPv4Range(first: address, last: address)!,
            leases: try loadAll().filter { $0.address == address })
    }
}
