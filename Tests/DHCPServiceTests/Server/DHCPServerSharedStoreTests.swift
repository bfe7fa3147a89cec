import Inventory
import Logging
import NIOCore
import NIOPosix
import Synchronization
import Testing

@testable import DHCPCore
@testable import DHCPService

/// The server core with a store that other appliances share (`sharesLeases`): holds are committed before offers
/// leave, a refused claim makes the engine learn and decide again before anything is sent, and a refusal that
/// rests on stale news of another client is checked with the store first.
@Suite struct DHCPServerSharedStoreTests {
    typealias F = EngineFixture
    let mac = MACAddress("52:54:00:99:00:01")!
    let other = MACAddress("52:54:00:99:00:02")!

    @Test func anOfferLeavesOnlyOnceItsHoldIsStored() async throws {
        let server = try await CoreHarness(store: SharedScriptedStore())
        defer { server.shutdown() }
        let offer = try #require(try await server.exchange(F.request(.discover, mac: mac)).first)
        let address = offer.message.yourAddress
        #expect(server.store.rows[address]?.state == .offered && server.store.rows[address]?.mac == mac)
        server.store.failing = true
        #expect(try await server.exchange(F.request(.discover, mac: other)).isEmpty, "no hold stored, no offer")
    }

    @Test func aClaimRefusedByAnotherApplianceIsDecidedAgainOnWhatTheStoreHolds() async throws {
        let store = SharedScriptedStore()
        // Another appliance gave the pool's first two addresses away; this one has not heard of it.
        store.rows[IPv4Address("10.20.0.100")!] = Lease(
            address: IPv4Address("10.20.0.100")!, mac: other, state: .bound, expiry: DHCPServerCore.now() + 3600)
        store.rows[IPv4Address("10.20.0.101")!] = Lease(
            address: IPv4Address("10.20.0.101")!, mac: MACAddress("52:54:00:99:00:03")!, state: .offered,
            expiry: DHCPServerCore.now() + 60)
        let server = try await CoreHarness(store: store)
        defer { server.shutdown() }
        let replies = try await server.exchange(F.request(.discover, mac: mac))
        #expect(replies.count == 1)
        #expect(replies.first?.message.yourAddress == IPv4Address("10.20.0.102"))
        #expect(store.rows[IPv4Address("10.20.0.102")!]?.mac == mac)
        #expect(try await server.read { $0.statistics.sharedStoreRefusals } == 1, "one refusal taught both")
        #expect(try await server.read { $0.statistics.offers } == 1, "the refused decision is not counted")
        #expect(store.rows[IPv4Address("10.20.0.100")!]?.mac == other, "the other appliance's lease is untouched")
    }

    @Test func aRequestForAnAddressAnotherClientHoldsIsNAKedAfterTheStoreSaysSo() async throws {
        let store = SharedScriptedStore()
        let address = IPv4Address("10.20.0.100")!
        store.rows[address] = Lease(address: address, mac: other, state: .bound, expiry: DHCPServerCore.now() + 3600)
        let server = try await CoreHarness(store: store)
        defer { server.shutdown() }
        let renewal = F.request(.request, mac: mac) { $0.clientAddress = address }
        let nak = try #require(try await server.exchange(renewal).first)
        #expect(nak.message.options.messageType == .negativeAcknowledgement)
        #expect(store.rows[address]?.mac == other)
    }

    @Test func aRenewalTheTableWouldRefuseOnStaleNewsIsCheckedAndAcknowledged() async throws {
        let store = SharedScriptedStore()
        let address = IPv4Address("10.20.0.100")!
        store.rows[address] = Lease(address: address, mac: other, state: .bound, expiry: DHCPServerCore.now() + 3600)
        let server = try await CoreHarness(store: store)
        defer { server.shutdown() }
        // This appliance learns that `other` holds the address; then, elsewhere, `other` releases it and `mac` gets
        // it from the other appliance.
        let refused = try await server.exchange(F.request(.request, mac: mac) { $0.clientAddress = address })
        #expect(refused.first?.message.options.messageType == .negativeAcknowledgement)
        #expect(store.lookups.withLock { $0 }.isEmpty, "the refused claim already said what the store holds")
        store.rows[address] = Lease(address: address, mac: mac, state: .bound, expiry: DHCPServerCore.now() + 3600)
        // Its renewal reaches this appliance (the other is down): the store is asked before any NAK.
        let ack = try #require(
            try await server.exchange(F.request(.request, mac: mac) { $0.clientAddress = address }).first)
        #expect(ack.message.options.messageType == .acknowledgement && ack.message.yourAddress == address)
        #expect(store.lookups.withLock { $0 } == [address])
    }

    @Test func aClientBackFromAnotherApplianceIsOfferedTheAddressItHolds() async throws {
        let store = SharedScriptedStore()
        let held = IPv4Address("10.20.0.102")!
        store.rows[held] = Lease(address: held, mac: mac, state: .bound, expiry: DHCPServerCore.now() + 3000)
        let server = try await CoreHarness(store: store)
        defer { server.shutdown() }
        let offer = try #require(try await server.exchange(F.request(.discover, mac: mac)).first)
        #expect(offer.message.yourAddress == held)
        #expect(store.rows.count == 1, "no hold was placed on another address")
    }

    @Test func aClientThatTookAnotherAppliancesOfferFreesThisOnesHold() async throws {
        let server = try await CoreHarness(store: SharedScriptedStore())
        defer { server.shutdown() }
        let offer = try #require(try await server.exchange(F.request(.discover, mac: mac)).first)
        let address = offer.message.yourAddress
        let elsewhere = F.request(.request, mac: mac) {
            $0.options.serverIdentifier = IPv4Address("10.20.0.3")!
            $0.options.requestedAddress = address
        }
        #expect(try await server.exchange(elsewhere).isEmpty)
        #expect(server.store.rows[address] == nil)
    }

    @Test func aRequestStillRefusedAfterEveryDecisionGoesUnanswered() async throws {
        let store = SharedScriptedStore()
        store.refuseEverything = true
        let server = try await CoreHarness(store: store)
        defer { server.shutdown() }
        #expect(try await server.exchange(F.request(.discover, mac: mac)).isEmpty)
        #expect(try await server.read { $0.statistics.sharedStoreRefusals } == DHCPServerCore.maximumDecisions)
        #expect(try await server.read { $0.statistics.conflictsGivenUp } == 1)
        #expect(
            server.log.all.contains { $0.level == .warning && $0.message.description.hasPrefix("requests unanswered") })
    }
}

/// An in-memory stand-in with the shared store's rules: one row per address, a claim on a row another client holds
/// (unexpired) is refused with the rows around it.
final class SharedScriptedStore: LeaseStore, @unchecked Sendable {
    private let state = Mutex((rows: [IPv4Address: Lease](), failing: false, refuseEverything: false))
    let lookups = Mutex<[IPv4Address]>([])

    var rows: [IPv4Address: Lease] {
        get { state.withLock { $0.rows } }
        set { state.withLock { $0.rows = newValue } }
    }
    var failing: Bool {
        get { state.withLock { $0.failing } }
        set { state.withLock { $0.failing = newValue } }
    }
    /// Refuse every claim, as if other appliances took each address first.
    var refuseEverything: Bool {
        get { state.withLock { $0.refuseEverything } }
        set { state.withLock { $0.refuseEverything = newValue } }
    }

    var sharesLeases: Bool { true }

    func loadAll() throws -> [Lease] { Array(rows.values) }

    func commit(_ changes: [LeaseChange]) throws { _ = try apply(changes) }

    func apply(_ changes: [LeaseChange]) throws -> [LeaseCommitOutcome] {
        let now = DHCPServerCore.now()
        return try state.withLock { state in
            guard !state.failing else {
                throw LeaseStoreError(operation: "commit", path: "shared", reason: "database unreachable")
            }
            return changes.map { change in
                let lease = change.lease
                switch change {
                case .hold, .bind, .quarantine:
                    if let row = state.rows[lease.address], row.mac != lease.mac, row.expiry > now {
                        return .refused(standing: Self.window(lease.address, in: state.rows))
                    }
                    let elsewhere = state.rows.values.filter {
                        $0.mac == lease.mac && $0.address != lease.address && $0.state == .bound && $0.expiry > now
                    }
                    if lease.state == .offered, !elsewhere.isEmpty {
                        var standing = Self.window(lease.address, in: state.rows)
                        standing.clientLeases = elsewhere
                        return .refused(standing: standing)
                    }
                    if state.refuseEverything { return .refused(standing: Self.window(lease.address, in: [:])) }
                    state.rows[lease.address] = lease
                case .release(let lease), .releaseHold(let lease):
                    if state.rows[lease.address]?.mac == lease.mac { state.rows[lease.address] = nil }
                }
                return .stored
            }
        }
    }

    func storedLeases(around address: IPv4Address) throws -> StoredLeases {
        lookups.withLock { $0.append(address) }
        return Self.window(address, in: rows)
    }

    private static func window(_ address: IPv4Address, in rows: [IPv4Address: Lease]) -> StoredLeases {
        let range = IPv4Range(first: address, last: IPv4Address(rawValue: address.rawValue + 63))!
        return StoredLeases(range: range, leases: rows.values.filter { range.contains($0.address) })
    }

    func removeExpired(before time: Int64) throws -> Int { 0 }

    func checkHealth() throws {}
}
