import Inventory
import Testing

@testable import DHCPCore

private typealias F = EngineFixture

/// A flood of DISCOVERs from random MACs: the pool runs out cleanly, reserved machines keep their addresses, offers
/// expire so the pool comes back, memory stays bounded, and the rate limits hold inside the engine.
@Suite struct DHCPStarvationTests {
    static func randomMAC(_ generator: inout SystemRandomNumberGenerator) -> MACAddress {
        // Locally administered unicast, never the fixture's machines.
        MACAddress(octets: [0x02] + (0..<5).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    /// The fixture with limits off, a rack pool .10-.12 that contains web-01's fixed IP .11, and a relayed pool of
    /// 241 addresses.
    static func engine(limits: DHCPRateLimits = .off) -> DHCPEngine {
        var configuration = F.configuration
        configuration.subnets[0].pools = [IPv4Range("10.20.0.10-10.20.0.12")!]
        configuration.subnets[1].pools = [IPv4Range("10.30.0.10-10.30.0.250")!]
        for index in configuration.subnets.indices { configuration.subnets[index].rateLimits = limits }
        return DHCPEngine(configuration: configuration)
    }

    @Test func aRandomMACFloodExhaustsThePoolButNotTheReservations() throws {
        var engine = Self.engine()
        var generator = SystemRandomNumberGenerator()
        var kinds: [DHCPEvent.Kind: Int] = [:]
        var offered: Set<IPv4Address> = []
        for index in 0..<5000 {
            let request = F.request(.discover, mac: Self.randomMAC(&generator), xid: UInt32(index))
            let decision = engine.handle(request, arrival: F.onLink, inventory: F.inventory, now: F.now)
            kinds[decision.event.kind, default: 0] += 1
            if let address = decision.reply?.message.yourAddress { offered.insert(address) }
            if decision.event.kind == .poolExhausted { #expect(decision.reply == nil) }
        }
        // Two free addresses (.10, .12): .11 is web-01's even though it lies in the pool.
        #expect(offered == [IPv4Address("10.20.0.10")!, IPv4Address("10.20.0.12")!])
        #expect(kinds[.offered] == 2 && kinds[.poolExhausted] == 4998)
        #expect(engine.leases.count <= 3)
        // web-01 still gets its fixed IP, offered and acknowledged.
        let offer = engine.handle(F.request(.discover), arrival: F.onLink, inventory: F.inventory, now: F.now)
        #expect(offer.reply?.message.yourAddress == IPv4Address("10.20.0.11"))
        let ack = engine.handle(
            F.request(.request) {
                $0.options.requestedAddress = IPv4Address("10.20.0.11")
                $0.options.serverIdentifier = F.server
            }, arrival: F.onLink, inventory: F.inventory, now: F.now)
        #expect(ack.event.kind == .acknowledged && ack.reply?.message.yourAddress == IPv4Address("10.20.0.11"))
        #expect(engine.leases.count == 3)
    }

    @Test func unrequestedOffersExpireSoAFloodCannotPinThePool() {
        var engine = Self.engine()
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<100 {
            _ = engine.handle(
                F.request(.discover, mac: Self.randomMAC(&generator)), arrival: F.onLink,
                inventory: F.inventory, now: F.now)
        }
        let latecomer = Self.randomMAC(&generator)
        let refused = engine.handle(
            F.request(.discover, mac: latecomer), arrival: F.onLink, inventory: F.inventory,
            now: F.now + engine.configuration.offerHoldTime - 1)
        #expect(refused.event.kind == .poolExhausted)
        let later = F.now + engine.configuration.offerHoldTime
        let offered = engine.handle(
            F.request(.discover, mac: latecomer), arrival: F.onLink, inventory: F.inventory,
            now: later)
        #expect(offered.event.kind == .offered)
        #expect(engine.removeExpiredLeases(at: later).count == 1)
        #expect(engine.leases.count == 1)
    }

    @Test func theLeaseTableNeverOutgrowsThePoolAndTheReservations() {
        var engine = Self.engine()
        var generator = SystemRandomNumberGenerator()
        var largest = 0
        // DISCOVER, REQUEST for the offered address, a REQUEST for an address off the pool (10.20.0.20 on) and a
        // DECLINE, from 2000 MACs over about 17 minutes of simulated time.
        for index in 0..<2000 {
            let now = F.now + Int64(index / 2)
            let mac = Self.randomMAC(&generator)
            let offer = engine.handle(
                F.request(.discover, mac: mac), arrival: F.onLink, inventory: F.inventory,
                now: now)
            if let address = offer.reply?.message.yourAddress {
                _ = engine.handle(
                    F.request(.request, mac: mac) {
                        $0.options.requestedAddress = address
                        $0.options.serverIdentifier = F.server
                    }, arrival: F.onLink, inventory: F.inventory, now: now)
            }
            _ = engine.handle(
                F.request(.request, mac: mac) {
                    $0.options.requestedAddress = IPv4Address(rawValue: 0x0a14_0014 + UInt32(index % 200))
                }, arrival: F.onLink, inventory: F.inventory, now: now)
            _ = engine.handle(
                F.request(.decline, mac: mac) { $0.options.requestedAddress = IPv4Address("10.20.0.10") },
                arrival: F.onLink, inventory: F.inventory, now: now)
            largest = max(largest, engine.leases.count)
        }
        // Three pool addresses (one of them web-01's reservation): nothing else is ever recorded.
        #expect(largest <= 3)
        #expect(engine.leases.leases.allSatisfy { (10...12).contains($0.address.rawValue & 0xff) })
    }

    @Test func theRelayLimitShedsAFloodButNotTheInventorysMachines() {
        let limits = DHCPRateLimits(
            perMAC: DHCPRateLimit(rate: 1, burst: 3),
            perRelay: DHCPRateLimit(rate: 50, burst: 100))
        var engine = Self.engine(limits: limits)
        let relay = IPv4Address("10.30.0.1")!
        let arrival = DHCPArrival(interface: "veth0", serverAddress: F.server, sourceAddress: relay, sourcePort: 67)
        var generator = SystemRandomNumberGenerator()
        var kinds: [DHCPEvent.Kind: Int] = [:]
        // 2000 random MACs in one second through one relay, to the relayed subnet's 100-address pool.
        for index in 0..<2000 {
            let request = F.request(.discover, mac: Self.randomMAC(&generator)) { $0.gatewayAddress = relay }
            let decision = engine.handle(
                request, arrival: arrival, inventory: F.inventory, now: F.now,
                monotonic: .microseconds(Int64(index * 500)))
            kinds[decision.event.kind, default: 0] += 1
            if decision.event.kind == .rateLimited {
                #expect(decision.reply == nil)
                #expect(decision.event.source == "relay 10.30.0.1")
            }
        }
        // burst 100 + 50/s × 1 s, and the pool is not even full.
        #expect(kinds[.offered, default: 0] >= 149 && kinds[.offered, default: 0] <= 150)
        #expect(kinds[.rateLimited, default: 0] == 2000 - kinds[.offered, default: 0])
        // web-01 through the same relay, right after: answered (its per-MAC budget only).
        let known = engine.handle(
            F.request(.discover) { $0.gatewayAddress = relay }, arrival: arrival,
            inventory: F.inventory, now: F.now, monotonic: .seconds(1))
        #expect(known.event.kind == .offered)
        // ... up to its burst of 3 at once.
        for _ in 0..<5 {
            _ = engine.handle(
                F.request(.discover) { $0.gatewayAddress = relay }, arrival: arrival,
                inventory: F.inventory, now: F.now, monotonic: .seconds(1))
        }
        let over = engine.handle(
            F.request(.discover) { $0.gatewayAddress = relay }, arrival: arrival,
            inventory: F.inventory, now: F.now, monotonic: .seconds(1))
        #expect(over.event.kind == .rateLimited && over.event.source == "mac \(F.knownMAC)")
        #expect(engine.rateLimiter.trackedClientCount <= engine.configuration.rateLimitTrackedClients)
    }
}
