import Inventory
import Testing

@testable import DHCPCore

/// A decision whose commit the store refuses must leave the engine's table as the store has it: no lease that was
/// never stored, and no stored lease freed.
@Suite struct LeaseRollbackTests {
    typealias F = EngineFixture
    let mac = MACAddress("52:54:00:99:00:01")!
    let other = MACAddress("52:54:00:99:00:02")!

    func select(_ address: IPv4Address, mac: MACAddress) -> DHCPMessage {
        F.request(.request, mac: mac) {
            $0.options.serverIdentifier = F.server
            $0.options.requestedAddress = address
        }
    }

    @Test func aRefusedFirstBindLeavesOnlyTheOffer() throws {
        var engine = F.engine()
        let offer = engine.handle(F.request(.discover, mac: mac), arrival: F.onLink, inventory: F.inventory, now: F.now)
        let address = try #require(offer.reply?.message.yourAddress)
        let ack = engine.handle(select(address, mac: mac), arrival: F.onLink, inventory: F.inventory, now: F.now + 1)
        #expect(engine.leases.lease(for: mac, at: F.now + 1)?.state == .bound)
        engine.rollBack(try #require(ack.rollback))
        let held = try #require(engine.leases.lease(for: mac, at: F.now + 1))
        #expect(held.state == .offered && held.address == address)
        // Once the offer's hold ends, nothing of the refused bind remains to keep the address from others.
        #expect(engine.leases.lease(on: address, at: F.now + engine.configuration.offerHoldTime + 1) == nil)
    }

    @Test func aRefusedRenewalKeepsTheStoredLeaseAndItsAddress() throws {
        var engine = F.engine()
        let offer = engine.handle(F.request(.discover, mac: mac), arrival: F.onLink, inventory: F.inventory, now: F.now)
        let address = try #require(offer.reply?.message.yourAddress)
        let bound = engine.handle(select(address, mac: mac), arrival: F.onLink, inventory: F.inventory, now: F.now)
        guard case .bind(let stored) = bound.leaseChange else {
            Issue.record("an ACK carries its lease")
            return
        }
        let renewal = engine.handle(
            F.request(.request, mac: mac) { $0.clientAddress = address },
            arrival: F.onLink, inventory: F.inventory, now: F.now + 1800)
        #expect(renewal.reply?.message.options.messageType == .acknowledgement)
        engine.rollBack(try #require(renewal.rollback))
        #expect(engine.leases.lease(for: mac, at: F.now + 1800) == stored)
        // The client still holds its stored lease: another client is not offered that address.
        let stranger = engine.handle(
            F.request(.discover, mac: other), arrival: F.onLink, inventory: F.inventory,
            now: F.now + 1801)
        #expect(stranger.reply?.message.yourAddress != address)
    }

    @Test func aRefusedReleaseKeepsTheStoredLease() throws {
        var engine = F.engine()
        let offer = engine.handle(F.request(.discover, mac: mac), arrival: F.onLink, inventory: F.inventory, now: F.now)
        let address = try #require(offer.reply?.message.yourAddress)
        _ = engine.handle(select(address, mac: mac), arrival: F.onLink, inventory: F.inventory, now: F.now)
        let release = engine.handle(
            F.request(.release, mac: mac) { $0.clientAddress = address },
            arrival: F.onLink, inventory: F.inventory, now: F.now + 5)
        #expect(engine.leases.lease(for: mac, at: F.now + 5) == nil)
        engine.rollBack(try #require(release.rollback))
        #expect(engine.leases.lease(for: mac, at: F.now + 5)?.address == address)
    }

    @Test func aRefusedMoveGivesBackTheClientsPreviousAddress() {
        var table = LeaseTable()
        let old = Lease(address: IPv4Address("10.20.0.100")!, mac: mac, state: .bound, expiry: 5_000)
        let new = Lease(address: IPv4Address("10.20.0.101")!, mac: mac, state: .bound, expiry: 6_000)
        table.record(old)
        let rollback = table.record(new)
        #expect(table.lease(on: old.address, at: 0) == nil)
        let undone = table.rollBack(rollback)
        #expect(undone)
        #expect(table.lease(for: mac, at: 0) == old)
        #expect(table.lease(on: new.address, at: 0) == nil)
    }

    @Test func aLaterDecisionOnTheSameAddressIsNotUndone() {
        var table = LeaseTable()
        let address = IPv4Address("10.20.0.100")!
        let first = table.record(Lease(address: address, mac: mac, state: .bound, expiry: 5_000))
        // The client repeats its REQUEST while the first commit runs; that second commit succeeds.
        let second = Lease(address: address, mac: mac, state: .bound, expiry: 5_000)
        table.record(second)
        let undone = table.rollBack(first)
        #expect(!undone)
        #expect(table.lease(for: mac, at: 0) == second)
    }

    @Test func rollingBackTwiceChangesNothingTheSecondTime() {
        var table = LeaseTable()
        let address = IPv4Address("10.20.0.100")!
        let rollback = table.record(Lease(address: address, mac: mac, state: .bound, expiry: 5_000))
        let undone = table.rollBack(rollback)
        #expect(undone)
        let replacement = Lease(address: address, mac: other, state: .bound, expiry: 7_000)
        table.record(replacement)
        let undoneAgain = table.rollBack(rollback)
        #expect(!undoneAgain)
        #expect(table.lease(on: address, at: 0) == replacement)
    }
}

@Suite struct LeaseStoreOutageTests {
    @Test func reportsTheStartOnceThenAReminderAMinuteLaterAndCountsTheEnd() {
        var outage = LeaseStoreOutage(reminderInterval: 60)
        let before = outage.succeeded()
        #expect(before == nil && outage.summary == nil)
        var reports: [LeaseStoreOutage.Report] = []
        for time: Int64 in [1_000, 1_001, 1_059, 1_060, 1_061] {
            reports.append(outage.failed(at: time, reason: "disk full"))
        }
        #expect(reports == [.began, .quiet, .quiet, .stillFailing(failures: 4), .quiet])
        #expect(outage.since == 1_000)
        #expect(outage.summary == "lease store failing: 5 lease changes refused, no leases acknowledged (disk full)")
        let ended = outage.succeeded()
        #expect(ended == 5)
        #expect(!outage.isOngoing && outage.failures == 0)
        let again = outage.succeeded()
        #expect(again == nil)
        let next = outage.failed(at: 2_000, reason: "read-only")
        #expect(next == .began)
    }
}
