import DHCPCore

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
}

extension LeaseStore {
    /// A store that keeps no previous addresses: returning clients then get whatever is free.
    public func loadPreviousAddresses() throws -> [PreviousAddress] { [] }

    /// A store without a write-ahead log has nothing to checkpoint.
    public func checkpoint(rounds: Int) throws -> LeaseCheckpoint { LeaseCheckpoint(walPages: 0, pagesCopied: 0) }

    /// Unless a store says otherwise, its commits wait for the disk.
    public var commitWaitsForDisk: Bool { true }
}
