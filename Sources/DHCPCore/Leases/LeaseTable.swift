import Inventory

/// The addresses in use, in memory: who holds what until when, and which address each departed client held last
/// (`PreviousAddress`). Pure: time is a parameter, nothing is stored here (the `LeaseStore` persists bound leases
/// and previous addresses and gives them back at start).
public struct LeaseTable: Sendable {
    private var byAddress: [IPv4Address: Lease] = [:]
    private var addressByMAC: [MACAddress: IPv4Address] = [:]
    /// Released and expired leases, by address, each with its place in `rememberedOrder`.
    private var remembered: [IPv4Address: (previous: PreviousAddress, order: UInt64)] = [:]
    private var rememberedByMAC: [MACAddress: IPv4Address] = [:]
    /// Remembered addresses oldest first, for handing the oldest memory to another client without sorting. An entry
    /// whose memory has been dropped or renewed since (its order differs) is skipped and compacted away later.
    private var rememberedOrder: [(address: IPv4Address, order: UInt64)] = []
    private var rememberedOrderStart = 0
    private var nextOrder: UInt64 = 0
    /// Bumped whenever an address may have become free of leases and memories; see `firstAvailable`.
    public private(set) var freedGeneration: UInt64 = 0
    /// Bumped by every change; each address remembers the change that last touched it, so a `LeaseRollback` can
    /// tell whether a later change has been made there since.
    private var revision: UInt64 = 0
    private var revisionByAddress: [IPv4Address: UInt64] = [:]

    /// `previous` may come in any order; the oldest (by `since`) is the first taken over by another client.
    public init(_ leases: [Lease] = [], previous: [PreviousAddress] = []) {
        for lease in leases { record(lease) }
        for memory in previous.sorted(by: { ($0.since, $0.address) < ($1.since, $1.address) })
        where byAddress[memory.address] == nil {
            remember(memory)
        }
    }

    /// Every remembered previous address, in address order.
    public var previousAddresses: [PreviousAddress] {
        remembered.values.map(\.previous).sorted { $0.address < $1.address }
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

    /// The address `mac` held last, if it is free now: its lease expired (and not yet swept), or released or
    /// expired and remembered, and nobody else holds it.
    public func previousAddress(of mac: MACAddress, at now: Int64) -> IPv4Address? {
        if let address = addressByMAC[mac], let lease = byAddress[address], lease.state == .bound,
            !lease.isActive(at: now)
        {
            return address
        }
        guard let address = rememberedByMAC[mac], remembered[address]?.previous.mac == mac,
            isAvailable(address, for: mac, at: now)
        else { return nil }
        return address
    }

    /// Whether no client's memory holds `address`: not remembered, and no expired bound lease waits on it for the
    /// sweep that turns it into a memory.
    public func isUnremembered(_ address: IPv4Address, at now: Int64) -> Bool {
        guard remembered[address] == nil else { return false }
        if let lease = byAddress[address], lease.state == .bound, !lease.isActive(at: now) { return false }
        return true
    }

    /// The address remembered longest for a client other than `mac` that lies in `pools`, is free and is not kept
    /// by `isReserved`: what a new client gets once every address nobody remembers is taken.
    public func oldestRemembered(
        in pools: [IPv4Range], for mac: MACAddress, at now: Int64,
        isReserved: (IPv4Address) -> Bool
    ) -> IPv4Address? {
        for index in rememberedOrderStart..<rememberedOrder.count {
            let (address, order) = rememberedOrder[index]
            guard remembered[address]?.order == order, pools.contains(where: { $0.contains(address) }),
                isAvailable(address, for: mac, at: now), !isReserved(address)
            else { continue }
            return address
        }
        return nil
    }

    /// The first address of `pools`, searching from `start` onwards and wrapping around, that `mac` may have,
    /// `isReserved` does not keep for another machine, and no client remembers (`isUnremembered`). Without
    /// `start` the search begins at the first pool.
    ///
    /// Searching from where the previous allocation stopped (Kea's "iterative" allocator) keeps a DISCOVER's cost
    /// independent of how many leases are held: scanning from the pool's start every time made each offer walk
    /// every bound address, so a pool filling at thousands of clients a second slowed down quadratically.
    public func firstAvailable(
        in pools: [IPv4Range], startingAt start: IPv4Address? = nil, for mac: MACAddress,
        at now: Int64, isReserved: (IPv4Address) -> Bool
    ) -> IPv4Address? {
        guard !pools.isEmpty else { return nil }
        // The pool holding `start`, else the first pool after it, else the first pool.
        let startIndex =
            start.flatMap { start in
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
                if isAvailable(address, for: mac, at: now), isUnremembered(address, at: now), !isReserved(address) {
                    return address
                }
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
            let held = byAddress[previous], held.mac == lease.mac, held.state != .quarantined
        {
            byAddress[previous] = nil
            revisionByAddress[previous] = revision
            freed = held
            freedGeneration += 1
        }
        let displaced = byAddress[lease.address]
        if let displaced, displaced.mac != lease.mac, addressByMAC[displaced.mac] == lease.address {
            addressByMAC[displaced.mac] = nil
        }
        byAddress[lease.address] = lease
        revisionByAddress[lease.address] = revision
        // An offer leaves the memory in place (the offer may never be taken up); a bound or quarantined lease
        // replaces it, as the store's row does.
        let forgotten = lease.state == .offered ? nil : forget(lease.address)
        if lease.state == .quarantined {
            if addressByMAC[lease.mac] == lease.address { addressByMAC[lease.mac] = nil }
        } else {
            addressByMAC[lease.mac] = lease.address
        }
        return LeaseRollback(
            revision: revision, address: lease.address, previous: displaced, freed: freed,
            forgotten: forgotten)
    }

    /// Frees `address` if `mac` holds it; returns how to undo it, or `nil` when `mac` held nothing there. A bound
    /// lease is remembered as the client's previous address from `now`; an offer is just dropped.
    @discardableResult
    public mutating func release(_ address: IPv4Address, by mac: MACAddress, at now: Int64) -> LeaseRollback? {
        guard let lease = byAddress[address], lease.mac == mac else { return nil }
        revision += 1
        remove(at: address)
        if lease.state == .bound { remember(PreviousAddress(address: address, mac: mac, since: now)) }
        return LeaseRollback(revision: revision, address: address, previous: lease, freed: nil, forgotten: nil)
    }

    /// Undoes the change `rollback` came from, unless a later change touched its address; returns whether it did.
    @discardableResult
    public mutating func rollBack(_ rollback: LeaseRollback) -> Bool {
        guard revisionByAddress[rollback.address] == rollback.revision else { return false }
        revision += 1
        remove(at: rollback.address)
        if let previous = rollback.previous { restore(previous) }
        if let freed = rollback.freed, byAddress[freed.address] == nil,
            revisionByAddress[freed.address] == rollback.revision
        {
            restore(freed)
        }
        if let forgotten = rollback.forgotten, remembered[forgotten.address] == nil,
            byAddress[forgotten.address]?.state != .bound
        {
            remember(forgotten)
        }
        return true
    }

    /// Takes what a shared store holds on `stored.range` as the truth about those addresses: each stored lease
    /// replaces what the table has on its address, and a bound or quarantined lease the store no longer has there is
    /// dropped (another appliance released or moved it). An offer the store lacks stays: it may be this appliance's
    /// own, still on its way to the store, and it runs out by itself. The client's own leases outside the range
    /// (`clientLeases`) are recorded too. A change undone later (`rollBack`) never undoes what was learned after it.
    public mutating func learn(_ stored: StoredLeases) {
        revision += 1
        var kept: Set<IPv4Address> = []
        for lease in stored.leases where stored.range.contains(lease.address) {
            kept.insert(lease.address)
            guard byAddress[lease.address] != lease else { continue }
            record(lease)
        }
        var raw = stored.range.first.rawValue
        while raw <= stored.range.last.rawValue {
            let address = IPv4Address(rawValue: raw)
            if !kept.contains(address), let lease = byAddress[address], lease.state != .offered {
                revision += 1
                remove(at: address)
            }
            if raw == UInt32.max { break }
            raw += 1
        }
        for lease in stored.clientLeases
        where !stored.range.contains(lease.address) && byAddress[lease.address] != lease {
            record(lease)
        }
    }

    /// Empties `address`, marking it with the current revision.
    private mutating func remove(at address: IPv4Address) {
        if let lease = byAddress[address] {
            byAddress[address] = nil
            if addressByMAC[lease.mac] == address { addressByMAC[lease.mac] = nil }
        }
        revisionByAddress[address] = revision
        freedGeneration += 1
    }

    /// Remembers `previous` as its client's last address, newest in the order.
    private mutating func remember(_ previous: PreviousAddress) {
        _ = forget(previous.address)
        nextOrder += 1
        remembered[previous.address] = (previous, nextOrder)
        rememberedByMAC[previous.mac] = previous.address
        rememberedOrder.append((previous.address, nextOrder))
    }

    /// Drops the memory on `address`, if any, and returns it.
    private mutating func forget(_ address: IPv4Address) -> PreviousAddress? {
        guard let (previous, _) = remembered.removeValue(forKey: address) else { return nil }
        if rememberedByMAC[previous.mac] == address { rememberedByMAC[previous.mac] = nil }
        freedGeneration += 1
        compactRememberedOrder()
        return previous
    }

    /// Drops stale entries from the front of `rememberedOrder`, and rebuilds it once stale entries outnumber live
    /// ones: each forgotten memory costs amortized O(1).
    private mutating func compactRememberedOrder() {
        while rememberedOrderStart < rememberedOrder.count {
            let (address, order) = rememberedOrder[rememberedOrderStart]
            guard remembered[address]?.order != order else { break }
            rememberedOrderStart += 1
        }
        if rememberedOrder.count - rememberedOrderStart > 2 * remembered.count + 64 || rememberedOrderStart > 1024 {
            rememberedOrder = rememberedOrder[rememberedOrderStart...].filter {
                remembered[$0.address]?.order == $0.order
            }
            rememberedOrderStart = 0
        }
    }

    /// Puts back a lease the table held before, without displacing anything: a client that has since taken
    /// another address keeps pointing there.
    private mutating func restore(_ lease: Lease) {
        byAddress[lease.address] = lease
        revisionByAddress[lease.address] = revision
        if lease.state != .quarantined, addressByMAC[lease.mac] == nil { addressByMAC[lease.mac] = lease.address }
    }

    /// Drops every lease that expired by `now`; returns them. An expired bound lease is remembered as its client's
    /// previous address, from when it expired.
    public mutating func removeExpired(at now: Int64) -> [Lease] {
        let expired = byAddress.values.filter { !$0.isActive(at: now) }.sorted { $0.expiry < $1.expiry }
        if !expired.isEmpty { revision += 1 }
        for lease in expired {
            remove(at: lease.address)
            if lease.state == .bound {
                remember(PreviousAddress(address: lease.address, mac: lease.mac, since: lease.expiry))
            }
        }
        return expired.sorted { $0.address < $1.address }
    }
}
