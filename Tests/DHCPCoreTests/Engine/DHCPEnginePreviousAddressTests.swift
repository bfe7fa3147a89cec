import Inventory
import Testing

@testable import DHCPCore

/// A returning pool client gets the address it held last while that address is free: after a release, after its
/// lease expired (swept or not yet), and after a restart that rebuilt the table from the store. Other clients get
/// addresses nobody remembers first, then the memory that is oldest.
@Suite struct DHCPEnginePreviousAddressTests {
    typealias F = EngineFixture
    let first = MACAddress("52:54:00:99:00:01")!
    let second = MACAddress("52:54:00:99:00:02")!
    let third = MACAddress("52:54:00:99:00:03")!
    let fourth = MACAddress("52:54:00:99:00:04")!

    /// DISCOVER, REQUEST (SELECTING) and the bound address; `nil` when no offer came.
    func bind(_ mac: MACAddress, _ engine: inout DHCPEngine, at now: Int64 = F.now) -> IPv4Address? {
        guard let address = offer(mac, &engine, at: now) else { return nil }
        let ack = engine.handle(
            F.request(.request, mac: mac) {
                $0.options.serverIdentifier = F.server
                $0.options.requestedAddress = address
            }, arrival: F.onLink, inventory: F.inventory, now: now)
        return ack.event.kind == .acknowledged ? address : nil
    }

    func offer(_ mac: MACAddress, _ engine: inout DHCPEngine, at now: Int64 = F.now) -> IPv4Address? {
        engine.handle(F.request(.discover, mac: mac), arrival: F.onLink, inventory: F.inventory, now: now)
            .reply?.message.yourAddress
    }

    func release(
        _ mac: MACAddress, _ address: IPv4Address, _ engine: inout DHCPEngine,
        at now: Int64 = F.now
    ) -> DHCPDecision {
        engine.handle(
            F.request(.release, mac: mac) { $0.clientAddress = address }, arrival: F.onLink,
            inventory: F.inventory, now: now)
    }

    @Test func aClientThatReleasedGetsItsAddressBack() throws {
        var engine = F.engine()
        let held = try #require(bind(first, &engine))
        let released = release(first, held, &engine, at: F.now + 10)
        #expect(released.event.kind == .released)
        #expect(released.leaseChange == .release(Lease(address: held, mac: first, state: .bound, expiry: F.now + 10)))
        #expect(offer(first, &engine, at: F.now + 20) == held)
        #expect(bind(first, &engine, at: F.now + 20) == held)
    }

    @Test func aClientWhoseLeaseExpiredGetsItsAddressBackBeforeAndAfterTheSweep() throws {
        var engine = F.engine()
        let held = try #require(bind(first, &engine))
        let expired = F.now + 3600 + 1
        #expect(offer(first, &engine, at: expired) == held)
        var swept = F.engine()
        _ = bind(first, &swept)
        #expect(swept.removeExpiredLeases(at: expired).map(\.address) == [held])
        #expect(swept.leases.previousAddresses == [PreviousAddress(address: held, mac: first, since: F.now + 3600)])
        #expect(offer(first, &swept, at: expired) == held)
    }

    @Test func otherClientsGetUnrememberedAddressesFirstThenTheOldestMemory() throws {
        var engine = F.engine()
        // The pool is .100-.102: the first client's released .100 is skipped while .101 and .102 are left.
        let a = try #require(bind(first, &engine))
        _ = release(first, a, &engine, at: F.now + 1)
        let b = try #require(bind(second, &engine, at: F.now + 2))
        let c = try #require(bind(third, &engine, at: F.now + 2))
        #expect(Set([a, b, c]).count == 3)
        _ = release(second, b, &engine, at: F.now + 3)
        // Both .100 (first, released at +1) and b (second, at +3) are remembered: the older goes first.
        #expect(offer(fourth, &engine, at: F.now + 4) == a)
        // The second client still gets its own back.
        #expect(offer(second, &engine, at: F.now + 4) == b)
    }

    @Test func previousAddressesSurviveARestart() throws {
        var engine = F.engine()
        let held = try #require(bind(first, &engine))
        _ = release(first, held, &engine, at: F.now + 5)
        let remembered = engine.leases.previousAddresses
        #expect(remembered == [PreviousAddress(address: held, mac: first, since: F.now + 5)])
        // A new engine, as after a restart, with what the store gave back.
        var restarted = DHCPEngine(configuration: F.configuration, leases: LeaseTable([], previous: remembered))
        #expect(offer(second, &restarted, at: F.now + 6) != held)
        #expect(offer(first, &restarted, at: F.now + 6) == held)
    }

    @Test func bindingAnAddressReplacesItsMemoryAndARefusedBindPutsItBack() throws {
        var table = LeaseTable(
            [],
            previous: [
                PreviousAddress(
                    address: IPv4Address("10.20.0.100")!, mac: first,
                    since: 1)
            ])
        let address = IPv4Address("10.20.0.100")!
        // An offer to another client leaves the memory in place: it may never be taken up.
        table.record(Lease(address: address, mac: second, state: .offered, expiry: 100))
        #expect(table.previousAddresses.count == 1)
        let rollback = table.record(Lease(address: address, mac: second, state: .bound, expiry: 100))
        #expect(table.previousAddresses.isEmpty)
        let rolledBack = table.rollBack(rollback)
        #expect(rolledBack)
        #expect(table.previousAddresses == [PreviousAddress(address: address, mac: first, since: 1)])
        #expect(table.previousAddress(of: first, at: 200) == address)
    }

    /// The oldest memory is found without sorting, and memories dropped meanwhile are skipped.
    @Test func theOldestMemoryIsFoundInOrderOfForgetting() {
        var table = LeaseTable()
        let pools = [IPv4Range("10.30.0.100-10.30.0.199")!]
        for index in 0..<50 {
            let mac = MACAddress("52:54:00:98:00:\(String(format: "%02x", index))")!
            let address = IPv4Address(rawValue: pools[0].first.rawValue + UInt32(index))
            table.record(Lease(address: address, mac: mac, state: .bound, expiry: 100))
            table.release(address, by: mac, at: Int64(1_000 + index))
        }
        // .100 was released first: it goes first, until it is bound again.
        #expect(table.oldestRemembered(in: pools, for: first, at: 2_000) { _ in false } == pools[0].first)
        table.record(Lease(address: pools[0].first, mac: first, state: .bound, expiry: 3_000))
        let next = IPv4Address(rawValue: pools[0].first.rawValue + 1)
        #expect(table.oldestRemembered(in: pools, for: second, at: 2_000) { _ in false } == next)
        // Nothing unremembered is left among the 50 touched addresses, but the other 50 are fresh.
        #expect(
            table.firstAvailable(in: pools, for: second, at: 2_000) { _ in false }
                == IPv4Address(rawValue: pools[0].first.rawValue + 50))
    }
}
