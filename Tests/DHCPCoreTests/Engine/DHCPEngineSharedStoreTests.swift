import Inventory
import Testing

@testable import DHCPCore

/// The engine beside other appliances that share its lease store: offers carry holds, a client that chose another
/// server frees its hold, a refusal that rests on the table's news of another client says so, and what the store
/// holds (`learn`) changes the next decision for the same request.
@Suite struct DHCPEngineSharedStoreTests {
    typealias F = EngineFixture
    let mac = MACAddress("52:54:00:99:00:01")!
    let other = MACAddress("52:54:00:99:00:02")!
    let pool = IPv4Range("10.20.0.100-10.20.0.102")!

    func discover(_ mac: MACAddress) -> DHCPMessage { F.request(.discover, mac: mac) }

    func select(_ address: IPv4Address, mac: MACAddress, server: IPv4Address = F.server) -> DHCPMessage {
        F.request(.request, mac: mac) {
            $0.options.serverIdentifier = server
            $0.options.requestedAddress = address
        }
    }

    @Test func anOfferCarriesTheHoldItPlaced() throws {
        var engine = F.engine()
        let offer = engine.handle(discover(mac), arrival: F.onLink, inventory: F.inventory, now: F.now)
        let address = try #require(offer.reply?.message.yourAddress)
        guard case .hold(let hold) = offer.leaseChange else {
            Issue.record("an offer of a pool address carries its hold")
            return
        }
        #expect(hold.address == address && hold.mac == mac && hold.state == .offered)
        #expect(hold.expiry == F.now + engine.configuration.offerHoldTime)
        #expect(offer.rollback != nil)
    }

    @Test func aClientThatChoseAnotherServerFreesItsHold() throws {
        var engine = F.engine()
        let offer = engine.handle(discover(mac), arrival: F.onLink, inventory: F.inventory, now: F.now)
        let address = try #require(offer.reply?.message.yourAddress)
        let elsewhere = engine.handle(
            select(address, mac: mac, server: IPv4Address("10.20.0.3")!), arrival: F.onLink, inventory: F.inventory,
            now: F.now + 1)
        #expect(elsewhere.event.kind == .ignored && elsewhere.reply == nil)
        guard case .releaseHold(let hold) = elsewhere.leaseChange else {
            Issue.record("the hold is released in the store too")
            return
        }
        #expect(hold.address == address && hold.mac == mac)
        #expect(engine.leases.lease(on: address, at: F.now + 1) == nil)
    }

    @Test func aRenewalRefusedForAnotherClientsLeaseNamesTheAddress() throws {
        var engine = F.engine()
        let address = IPv4Address("10.20.0.100")!
        engine.learn(
            StoredLeases(
                range: pool,
                leases: [Lease(address: address, mac: other, state: .bound, expiry: F.now + 3600)]))
        let renewal = engine.handle(
            F.request(.request, mac: mac) { $0.clientAddress = address }, arrival: F.onLink,
            inventory: F.inventory, now: F.now)
        #expect(renewal.event.kind == .negativelyAcknowledged)
        #expect(renewal.restsOnHolderOf == address)
        // Another appliance has since released it: once learned, the same request is acknowledged.
        engine.learn(StoredLeases(range: IPv4Range(first: address, last: address)!, leases: []))
        let again = engine.handle(
            F.request(.request, mac: mac) { $0.clientAddress = address }, arrival: F.onLink,
            inventory: F.inventory, now: F.now, retrying: true)
        #expect(again.event.kind == .acknowledged && again.reply?.message.yourAddress == address)
        #expect(again.restsOnHolderOf == nil)
    }

    @Test func aNAKForAnAddressOutsideThePoolRestsOnNoHolder() {
        var engine = F.engine()
        let renewal = engine.handle(
            F.request(.request, mac: mac) { $0.clientAddress = IPv4Address("10.20.0.50")! }, arrival: F.onLink,
            inventory: F.inventory, now: F.now)
        #expect(renewal.event.kind == .negativelyAcknowledged)
        #expect(renewal.restsOnHolderOf == nil)
    }

    @Test func learningWhatAnotherApplianceGaveOutMovesTheNextOffer() throws {
        var engine = F.engine()
        let first = engine.handle(discover(mac), arrival: F.onLink, inventory: F.inventory, now: F.now)
        let refused = try #require(first.reply?.message.yourAddress)
        // The store refused the hold: another appliance gave that address (and the next) to other clients.
        engine.rollBack(try #require(first.rollback))
        let next = IPv4Address(rawValue: refused.rawValue + 1)
        engine.learn(
            StoredLeases(
                range: IPv4Range(first: refused, last: IPv4Address(rawValue: refused.rawValue + 63))!,
                leases: [
                    Lease(address: refused, mac: other, state: .bound, expiry: F.now + 3600),
                    Lease(
                        address: next, mac: MACAddress("52:54:00:99:00:03")!, state: .offered,
                        expiry: F.now + 60),
                ]))
        let second = engine.handle(
            discover(mac), arrival: F.onLink, inventory: F.inventory, now: F.now, retrying: true)
        let address = try #require(second.reply?.message.yourAddress)
        #expect(address != refused && address != next && pool.contains(address))
        #expect(engine.leases.lease(on: refused, at: F.now)?.mac == other)
    }

    @Test func aClientBackThroughAnotherApplianceIsOfferedTheAddressItHolds() throws {
        var engine = F.engine()
        let first = engine.handle(discover(mac), arrival: F.onLink, inventory: F.inventory, now: F.now)
        let offered = try #require(first.reply?.message.yourAddress)
        // The store refused the hold: the client holds 10.20.0.102, bound through another appliance.
        engine.rollBack(try #require(first.rollback))
        let held = Lease(address: IPv4Address("10.20.0.102")!, mac: mac, state: .bound, expiry: F.now + 3000)
        engine.learn(
            StoredLeases(
                range: IPv4Range(first: offered, last: offered)!, leases: [], clientLeases: [held]))
        let second = engine.handle(
            discover(mac), arrival: F.onLink, inventory: F.inventory, now: F.now, retrying: true)
        #expect(second.reply?.message.yourAddress == held.address)
        #expect(second.leaseChange == nil, "its bound lease needs no hold")
    }

    @Test func learningDropsABoundLeaseTheStoreNoLongerHasButKeepsOwnOffers() throws {
        var engine = F.engine()
        let offer = engine.handle(discover(mac), arrival: F.onLink, inventory: F.inventory, now: F.now)
        let offered = try #require(offer.reply?.message.yourAddress)
        let gone = IPv4Address(rawValue: offered.rawValue + 1)
        engine.learn(
            StoredLeases(
                range: IPv4Range(first: gone, last: gone)!,
                leases: [Lease(address: gone, mac: other, state: .bound, expiry: F.now + 3600)]))
        #expect(engine.leases.lease(on: gone, at: F.now)?.mac == other)
        engine.learn(StoredLeases(range: pool, leases: []))
        #expect(engine.leases.lease(on: gone, at: F.now) == nil, "released through another appliance")
        #expect(engine.leases.lease(on: offered, at: F.now)?.mac == mac, "this appliance's own offer stays")
    }

    @Test func aLearnedLeaseIsNotUndoneByAnEarlierRollback() throws {
        var engine = F.engine()
        let offer = engine.handle(discover(mac), arrival: F.onLink, inventory: F.inventory, now: F.now)
        let address = try #require(offer.reply?.message.yourAddress)
        let learned = Lease(address: address, mac: other, state: .bound, expiry: F.now + 3600)
        engine.learn(StoredLeases(range: IPv4Range(first: address, last: address)!, leases: [learned]))
        engine.rollBack(try #require(offer.rollback))
        #expect(engine.leases.lease(on: address, at: F.now) == learned)
    }

    @Test func retryingSkipsTheRateLimitTheFirstDecisionWasChargedTo() {
        var configuration = F.configuration
        configuration.subnets[0].rateLimits.perMAC = DHCPRateLimit(rate: 0.01, burst: 1)
        var engine = DHCPEngine(configuration: configuration)
        let first = engine.handle(discover(mac), arrival: F.onLink, inventory: F.inventory, now: F.now)
        #expect(first.event.kind == .offered)
        let retried = engine.handle(
            discover(mac), arrival: F.onLink, inventory: F.inventory, now: F.now, retrying: true)
        #expect(retried.event.kind == .offered)
        let fresh = engine.handle(discover(mac), arrival: F.onLink, inventory: F.inventory, now: F.now)
        #expect(fresh.event.kind == .rateLimited)
    }

    @Test(arguments: [(0, 0.0), (1, 0.618), (2, 0.236), (3, 0.854)])
    func appliancesStartTheirPoolSearchesApart(ordinal: Int, expected: Double) {
        #expect(abs(DHCPEngineConfiguration.poolSearchStart(ordinal: ordinal) - expected) < 0.001)
    }

    @Test func aSearchStartingPartWayOffersFromThere() throws {
        var configuration = F.configuration
        configuration.subnets[1].pools = [IPv4Range("10.30.0.100-10.30.0.149")!, IPv4Range("10.30.0.200-10.30.0.249")!]
        configuration.poolSearchStart = 0.618
        var engine = DHCPEngine(configuration: configuration)
        let relayed = DHCPArrival(
            interface: "veth0", serverAddress: F.server, sourceAddress: IPv4Address("10.30.0.1")!, sourcePort: 67)
        let offer = engine.handle(
            F.request(.discover, mac: mac) { $0.gatewayAddress = IPv4Address("10.30.0.1")! }, arrival: relayed,
            inventory: F.inventory, now: F.now)
        // 61 of the 100 addresses in: the 12th of the second pool.
        #expect(offer.reply?.message.yourAddress == IPv4Address("10.30.0.211"))
    }
}
