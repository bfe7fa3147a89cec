import Inventory

/// The addresses in use, in memory: who holds what until when. Pure: time is a parameter, nothing is stored here
/// (the `LeaseStore` persists bound leases and gives them back at start).
public struct LeaseTable: Sendable {
    private var byAddress: [IPv4Address: Lease] = [:]
    private var addressByMAC: [MACAddress: IPv4Address] = [:]
    /// Bumped by every change; each address remembers the change that last touched it, so a `LeaseRollback` can
    /// tell whether a later change has been made there since.
    private var revision: UInt64 = 0
    private var revisionByAddress: [IPv4Address: UInt64] = [:]

    public init(_ leases: [Lease] = []) {
        for lease in leases { record(lease) }
    }

    /// Every lease, in address order.
    public var leases: [Lease] { byAddress.values.sorted { $0.address < $1.address } }

    public var count: Int { byAddress.count }

    /// The client's current (unexpired) offered or bound lease.
    public func lease(for mac: MACAddress, at now: Int64) -> Lease? {
        guard let address = addressByMAC[mac], let lease = byAddress[address], lease.isActive(at: now),
            lease.state != .quarantined
        else { return nil }
        return lease
    }

    /// The unexpired lease on `address`, whoever holds it.
    public func lease(on address: IPv4Address, at now: Int64) -> Lease? {
        guard let lease = byAddress[address], lease.isActive(at: now) else { return nil }
        return lease
    }

    /// Whether `mac` may be given `address`: nobody else holds it and it is not quarantined.
    public func isAvailable(_ address: IPv4Address, for mac: MACAddress, at now: Int64) -> Bool {
        guard let lease = lease(on: address, at: now) else { return true }
        return lease.mac == mac && lease.state != .quarantined
    }

    /// The first address of `pools`, searching from `start` onwards and wrapping around, that `mac` may have and
    /// `isReserved` does not keep for another machine. Without `start` the search begins at the first pool.
    ///
    /// Searching from where the previous allocation stopped (Kea's "iterative" allocator) keeps a DISCOVER's cost
    /// independent of how many leases are held: scanning from the pool's start every time made each offer walk
    /// every bound address, so a pool filling at thousands of clients a second slowed down quadratically.
    public func firstAvailable(in pools: [IPv4Range], startingAt start: IPv4Address? = nil, for mac: MACAddress,
                               at now: Int64, isReserved: (IPv4Address) -> Bool) -> IPv4Address? {
        guard !pools.isEmpty else { return nil }
        // The pool holding `start`, else the first pool after it, else the first pool.
        let startIndex = start.flatMap { start in
            pools.firstIndex { $0.contains(start) } ?? pools.firstIndex { $0.first > start }
        } ?? 0
        let resumesInside = start.map { pools[startIndex].contains($0) && $0 > pools[startIndex].first } ?? false
        for step in 0...pools.count {
            let pool = pools[(startIndex + step) % pools.count]
            var low = pool.first.rawValue
            var high = pool.last.rawValue
            if step == 0, resumesInside, let start {
                low = start.rawValue
            } else if step == pools.count {
                // Back at the starting pool: only the part before `start` is left.
                guard resumesInside, let start else { break }
                high = start.rawValue - 1
            }
            var raw = low
            while raw <= high {
                let address = IPv4Address(rawValue: raw)
                if isAvailable(address, for: mac, at: now), !isReserved(address) { return address }
                if raw == UInt32.max { break }
                raw += 1
            }
        }
        return nil
    }

    /// Adds or replaces the lease on its address; the client's previous address, if different, is freed. Returns
    /// how to undo it if the store refuses the change.
    @discardableResult
    public mutating func record(_ lease: Lease) -> LeaseRollback {
        revision += 1
        var freed: Lease?
        if let previous = addressByMAC[lease.mac], previous != lease.address,
            let held = byAddress[previous], held.mac == lease.mac, held.state != .quarantined {
            byAddress[previous] = nil
            revisionByAddress[previous] = revision
            freed = held
        }
        let displaced = byAddress[lease.address]
        if let displaced, displaced.mac != lease.mac, addressByMAC[displaced.mac] == lease.address {
            addressByMAC[displaced.mac] = nil
        }
        byAddress[lease.address] = lease
        revisionByAddress[lease.address] = revision
        if lease.state == .quarantined {
            if addressByMAC[lease.mac] == lease.address { addressByMAC[lease.mac] = nil }
        } else {
            addressByMAC[lease.mac] = lease.address
        }
        return LeaseRollback(revision: revision, address: lease.address, previous: displaced, freed: freed)
    }

    /// Frees `address` if `mac` holds it; returns how to undo it, or `nil` when `mac` held nothing there.
    @discardableResult
    public mutating func release(_ address: IPv4Address, by mac: MACAddress) -> LeaseRollback? {
        guard let lease = byAddress[address], lease.mac == mac else { return nil }
        revision += 1
        remove(at: address)
        return LeaseRollback(revision: revision, address: address, previous: lease, freed: nil)
    }

    /// Undoes the change `rollback` came from, unless a later change touched its address; returns whether it did.
    @discardableResult
    public mutating func rollBack(_ rollback: LeaseRollback) -> Bool {
        guard revisionByAddress[rollback.address] == rollback.revision else { return false }
        revision += 1
        remove(at: rollback.address)
        if let previous = rollback.previous { restore(previous) }
        if let freed = rollback.freed, byAddress[freed.address] == nil,
            revisionByAddress[freed.address] == rollback.revision {
            restore(freed)
        }
        return true
    }

    /// Empties `address`, marking it with the current revision.
    private mutating func remove(at address: IPv4Address) {
        if let lease = byAddress[address] {
            byAddress[address] = nil
            if addressByMAC[lease.mac] == address { addressByMAC[lease.mac] = nil }
        }
        revisionByAddress[address] = revision
    }

    /// Puts back a lease the table held before, without displacing anything: a client that has since taken
    /// another address keeps pointing there.
    private mutating func restore(_ lease: Lease) {
        byAddress[lease.address] = lease
        revisionByAddress[lease.address] = revision
        if lease.state != .quarantined, addressByMAC[lease.mac] == nil { addressByMAC[lease.mac] = lease.address }
    }

    /// Drops every lease that expired by `now`; returns them.
    public mutating func removeExpired(at now: Int64) -> [Lease] {
        let expired = byAddress.values.filter { !$0.isActive(at: now) }
        if !expired.isEmpty { revision += 1 }
        for lease in expired { remove(at: lease.address) }
        return expired.sorted { $0.address < $1.address }
    }
}
