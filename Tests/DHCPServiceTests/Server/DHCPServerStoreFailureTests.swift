import Inventory
import Logging
import NIOCore
import NIOPosix
import Synchronization
import Testing

@testable import DHCPCore
@testable import DHCPService

/// The server core with a lease store that refuses commits on demand: a refused commit sends no reply, is counted
/// and logged once per outage, leaves no unstored lease in the engine, and the next commit after the store
/// recovers is acknowledged again.
@Suite struct DHCPServerStoreFailureTests {
    typealias F = EngineFixture
    let mac = MACAddress("52:54:00:99:00:01")!
    let other = MACAddress("52:54:00:99:00:02")!

    @Test func aRefusedCommitSendsNothingAndLeavesNoUnstoredLease() async throws {
        let server = try await CoreHarness()
        defer { server.shutdown() }
        server.store.failing = true
        let offer = try #require(try await server.exchange(F.request(.discover, mac: mac)).first)
        #expect(offer.message.options.messageType == .offer)
        let address = offer.message.yourAddress
        let select = F.request(.request, mac: mac) {
            $0.options.serverIdentifier = F.server
            $0.options.requestedAddress = address
        }
        #expect(try await server.exchange(select).isEmpty)
        #expect(try await server.exchange(select).isEmpty)
        #expect(try await server.read { $0.statistics.storeFailures } == 2)
        #expect(try await server.read { $0.statistics.storeOutage.isOngoing })
        #expect(try await server.read { $0.engine.leases.lease(for: mac, at: DHCPServerCore.now())?.state } == .offered)
        #expect(try await server.read { $0.activeLeaseCount } == 0)
        #expect(server.store.leases.isEmpty)
        let errors = server.log.all.filter { $0.level == .error }
        #expect(errors.count == 1, "one error per outage, not one per refused client")
        let error = try #require(errors.first)
        #expect(error.message.hasPrefix("lease store cannot commit"))
        #expect(error.metadata["reason"]?.description.contains("/state/leases.sqlite") == true)
        #expect(error.metadata["reason"]?.description.contains("database or disk is full") == true)
        #expect(error.metadata["mac"]?.description == mac.description)

        server.store.failing = false
        let ack = try #require(try await server.exchange(select).first)
        #expect(ack.message.options.messageType == .acknowledgement && ack.message.yourAddress == address)
        #expect(server.store.leases[address]?.mac == mac)
        #expect(try await server.read { $0.engine.leases.lease(for: mac, at: DHCPServerCore.now())?.state } == .bound)
        #expect(try await server.read { $0.statistics.storeOutage.isOngoing } == false)
        #expect(
            server.log.all.contains {
                $0.level == .notice && $0.message == "lease store writable again after 2 failed commits"
            })
    }

    @Test func failingCheckpointsWarnOnceAndSayWhenTheyWorkAgain() async throws {
        let server = try await CoreHarness()
        defer { server.shutdown() }
        server.store.failing = true
        try await server.checkpoint()
        try await server.checkpoint()
        #expect(try await server.read { $0.failedCheckpoints } == 2)
        let warnings = server.log.all.filter { $0.level == .warning }
        #expect(warnings.count == 1, "one warning while checkpoints keep failing")
        #expect(warnings.first?.message.description.hasPrefix("lease store checkpoint failed") == true)
        #expect(warnings.first?.metadata["reason"]?.description.contains("disk is full") == true)

        server.store.failing = false
        try await server.checkpoint()
        #expect(try await server.read { $0.failedCheckpoints } == 0)
        #expect(server.log.all.contains { $0.level == .notice && $0.message == "lease store checkpoints work again" })
    }

    @Test func aRefusedRenewalKeepsTheStoredLeaseAndItsAddress() async throws {
        let server = try await CoreHarness()
        defer { server.shutdown() }
        let offer = try #require(try await server.exchange(F.request(.discover, mac: mac)).first)
        let address = offer.message.yourAddress
        let ack = try await server.exchange(
            F.request(.request, mac: mac) {
                $0.options.serverIdentifier = F.server
                $0.options.requestedAddress = address
            })
        #expect(ack.first?.message.options.messageType == .acknowledgement)
        let stored = try #require(server.store.leases[address])

        server.store.failing = true
        #expect(try await server.exchange(F.request(.request, mac: mac) { $0.clientAddress = address }).isEmpty)
        #expect(try await server.read { $0.engine.leases.lease(for: mac, at: DHCPServerCore.now()) } == stored)
        let stranger = try #require(try await server.exchange(F.request(.discover, mac: other)).first)
        #expect(stranger.message.yourAddress != address)
        #expect(try await server.read { $0.statistics.storeFailures } == 1)
    }
}

/// A `LeaseStore` in memory that throws like a full disk while `failing` is set.
final class ScriptedLeaseStore: LeaseStore {
    private struct State {
        var failing = false
        var leases: [IPv4Address: Lease] = [:]
    }

    private let state = Mutex(State())

    var failing: Bool {
        get { state.withLock { $0.failing } }
        set { state.withLock { $0.failing = newValue } }
    }

    var leases: [IPv4Address: Lease] { state.withLock { $0.leases } }

    func loadAll() throws -> [Lease] { Array(leases.values) }

    func commit(_ changes: [LeaseChange]) throws {
        try state.withLock { state in
            guard !state.failing else {
                throw LeaseStoreError(
                    operation: "commit \(changes.count) lease changes", path: "/state/leases.sqlite",
                    reason: "SQLite error 13: database or disk is full")
            }
            for change in changes {
                switch change {
                case .bind(let lease), .quarantine(let lease): state.leases[lease.address] = lease
                case .release(let lease): state.leases[lease.address] = nil
                case .hold, .releaseHold: break
                }
            }
        }
    }

    func removeExpired(before time: Int64) throws -> Int { 0 }

    func checkHealth() throws {}

    /// Fails like a checkpoint that cannot grow a full disk's database file while `failing` is set.
    func checkpoint(rounds: Int) throws -> LeaseCheckpoint {
        guard !failing else {
            throw LeaseStoreError(
                operation: "checkpoint the write-ahead log", path: "/state/leases.sqlite",
                reason: "SQLite error 13: database or disk is full")
        }
        return LeaseCheckpoint(walPages: 8, pagesCopied: 8)
    }
}

/// A `DHCPServerCore` on its own event loop and thread pool, fed requests as datagrams.
struct CoreHarness<Store: LeaseStore> {
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    let threadPool = NIOThreadPool(numberOfThreads: 1)
    let store: Store
    let log = RecordingLogHandler.Entries()
    let core: NIOLoopBound<DHCPServerCore>

    init() async throws where Store == ScriptedLeaseStore {
        try await self.init(store: ScriptedLeaseStore())
    }

    init(store: Store) async throws {
        self.store = store
        threadPool.start()
        let loop = group.next()
        let store = store
        let threadPool = threadPool
        let logger = Logger(label: "test") { [log] _ in RecordingLogHandler(entries: log) }
        core = try await loop.submit {
            NIOLoopBound(
                DHCPServerCore(
                    engine: F.engine(), store: store, eventLoop: loop, threadPool: threadPool,
                    inventory: { EngineFixture.inventory }, logger: logger),
                eventLoop: loop)
        }.get()
    }

    private typealias F = EngineFixture

    /// Sends `request` and returns every reply it caused, once its lease change (if any) is committed or refused.
    func exchange(_ request: DHCPMessage) async throws -> [DHCPReply] {
        var buffer = ByteBuffer()
        _ = try buffer.writeDHCPMessage(request)
        let core = core
        let datagram = buffer
        return try await core.eventLoop.flatSubmit {
            let sent = NIOLoopBoundBox([DHCPReply](), eventLoop: core.eventLoop)
            core.value.receive(datagram, arrival: F.onLink) { sent.value.append($0) }
            return core.value.drainCommits().map { sent.value }
        }.get()
    }

    /// Runs one background checkpoint (on the harness's thread pool) and waits for it.
    func checkpoint() async throws {
        let core = core
        let threadPool = threadPool
        try await core.eventLoop.flatSubmit { core.value.checkpointLeaseStore(on: threadPool) }.get()
    }

    func read<T: Sendable>(_ body: @escaping @Sendable (DHCPServerCore) -> T) async throws -> T {
        let core = core
        return try await core.eventLoop.submit { body(core.value) }.get()
    }

    func shutdown() {
        try? threadPool.syncShutdownGracefully()
        try? group.syncShutdownGracefully()
    }
}
