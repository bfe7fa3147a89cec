import Inventory

/// The addresses in use, in memory: who holds what until when. Pure: time is a parameter, nothing is stored here
/// (the `LeaseStore` persists bound leases and gives them back at start).
public struct LeaseTable: Sendable {
    private var byAddress: [IPv4Address: Lease] = [:]
    private var addressByMAC: [MACAddress: IPv4Address] = [:]

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

    /// The first address of `pools` that `mac` may have and `isReserved` does not keep for another machine.
    public func firstAvailable(in pools: [IPv4Range], for mac: MACAddress, at now: Int64,
                               isReserved: (IPv4Address) -> Bool) -> IPv4Address? {
        for pool in pools {
            var raw = pool.first.rawValue
            while raw <= pool.last.rawValue {
                let address = IPv4Address(rawValue: raw)
                if isAvailable(address, for: mac, at: now), !isReserved(address) { return address }
                if raw == UInt32.max { break }
                raw += 1
            }
        }
        return nil
    }

    /// Adds or replaces the lease on its address; the client's previous address, if different, is freed.
    public mutating func record(_ lease: Lease) {
        if let previous = addressByMAC[lease.mac], previous != lease.address,
            byAddress[previous]?.mac == lease.mac, byAddress[previous]?.state != .quarantined {
            byAddress[previous] = nil
        }
        if let displaced = byAddress[lease.address], displaced.mac != lease.mac,
            addressByMAC[displaced.mac] == lease.address {
            addressByMAC[displaced.mac] = nil
        }
        byAddress[lease.address] = lease
        if lease.state == .quarantined {
            if addressByMAC[lease.mac] == lease.address { addressByMAC[lease.mac] = nil }
        } else {
            addressByMAC[lease.mac] = lease.address
        }
    }

    /// Frees `address` if `mac` holds it; returns the freed lease.
    @discardableResult
    public mutating func release(_ address: IPv4Address, by mac: MACAddress) -> Lease? {
        guard let lease = byAddress[address], lease.mac == mac else { return nil }
        byAddress[address] = nil
        if addressByMAC[mac] == address { addressByMAC[mac] = nil }
        return lease
    }

    /// Drops every lease that expired by `now`; returns them.
    public mutating func removeExpired(at now: Int64) -> [Lease] {
        let expired = byAddress.values.filter { !$0.isActive(at: now) }
        for lease in expired {
            byAddress[lease.address] = nil
            if addressByMAC[lease.mac] == lease.address { addressByMAC[lease.mac] = nil }
        }
        return expired.sorted { $0.address < $1.address }
    }
}
