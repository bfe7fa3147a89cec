import Inventory
import Logging
import NIOCore
import NIOPosix
import Synchronization
import Testing

@testable import DHCPCore
@testable import DHCPService

/// The server core on a real event loop: hostile datagrams, floods and an exhausted pool move the counters the
/// status line shows, nothing is answered that should not be, and the warnings come one per source per interval.
@Suite struct DHCPServerCoreTests {
    /// A lease store that keeps nothing (these tests never commit).
    struct NoStore: LeaseStore {
        func loadAll() throws -> [Lease] { [] }
        func commit(_ changes: [LeaseChange]) throws {}
        func removeExpired(before time: Int64) throws -> Int { 0 }
        func checkHealth() throws {}
    }

    /// Monotonic time the test moves by hand.
    final class TestClock: Sendable {
        let now = Mutex(Duration.zero)
        func advance(_ by: Duration) { now.withLock { $0 += by } }
    }

    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    let threadPool = NIOThreadPool(numberOfThreads: 1)
    let clock = TestClock()
    let log = RecordingLogHandler.Entries()

    func withCore(
        limits: DHCPRateLimits = DHCPRateLimits(),
        _ body: (NIOLoopBound<DHCPServerCore>, any EventLoop) throws -> Void
    ) throws {
        threadPool.start()
        defer {
            try? threadPool.syncShutdownGracefully()
            try? group.syncShutdownGracefully()
        }
        var subnets = EngineFixture.configuration
        for index in subnets.subnets.indices { subnets.subnets[index].rateLimits = limits }
        let configuration = subnets
        let loop = group.next()
        let clock = clock
        let entries = log
        let pool = threadPool
        let core = try loop.submit {
            NIOLoopBound(
                DHCPServerCore(
                    engine: DHCPEngine(configuration: configuration), store: NoStore(), eventLoop: loop,
                    threadPool: pool, inventory: { EngineFixture.inventory },
                    logger: Logger(label: "test") { _ in RecordingLogHandler(entries: entries) },
                    wallClock: { EngineFixture.now }, monotonicClock: { clock.now.withLock { $0 } }), eventLoop: loop)
        }.wait()
        try body(core, loop)
    }

    /// Feeds `datagrams` to the core from `source`; returns how many replies it sent.
    func receive(
        _ datagrams: [[UInt8]], core: NIOLoopBound<DHCPServerCore>, loop: any EventLoop,
        source: IPv4Address = IPv4Address(rawValue: 0)
    ) throws -> Int {
        try loop.submit {
            var replies = 0
            let arrival = DHCPArrival(
                interface: "veth0", serverAddress: EngineFixture.server, sourceAddress: source,
                sourcePort: 68)
            for bytes in datagrams {
                core.value.receive(ByteBuffer(bytes: bytes), arrival: arrival) { _ in replies += 1 }
            }
            return replies
        }.wait()
    }

    func statistics(_ core: NIOLoopBound<DHCPServerCore>, _ loop: any EventLoop) throws -> DHCPServerStatistics {
        try loop.submit { core.value.statistics }.wait()
    }

    static func discover(from index: Int) -> [UInt8] {
        var bytes = HostileDatagram.datagram(HostileDatagram.discover + [255])
        bytes.replaceSubrange(28..<34, with: [0x02, 0, 0, 0, UInt8(index >> 8), UInt8(index & 0xff)])
        return bytes
    }

    @Test func hostileDatagramsAreCountedAndWarnedAboutOncePerSource() throws {
        try withCore { core, loop in
            let attacker = IPv4Address("10.20.0.66")!
            let malformed: [[UInt8]] = [
                [], Array(repeating: 0, count: 100), HostileDatagram.datagram([53, 1, 1, 61, 9, 1]),
                HostileDatagram.datagram([52, 1, 3, 255], sname: [52, 1, 1]),
                HostileDatagram.datagram([53, 1, 1], header: HostileDatagram.header(hlen: 99)),
                Array(repeating: 1, count: DHCPMessage.maximumLength + 1),
            ]
            let unusable: [[UInt8]] = [
                HostileDatagram.datagram([53, 0, 255]),
                HostileDatagram.datagram([53, 1, 1, 255], header: HostileDatagram.header(htype: 6)),
                HostileDatagram.datagram([53, 1, 1, 82, 3, 1, 9, 0, 255]),
            ]
            let rounds = 200
            let replies = try receive(
                Array((0..<rounds).map { _ in malformed + unusable }.joined()), core: core,
                loop: loop, source: attacker)
            #expect(replies == 0)
            let counted = try statistics(core, loop)
            #expect(counted.received == rounds * 9)
            #expect(counted.malformed == rounds * malformed.count)
            #expect(counted.dropped == rounds * unusable.count)
            // One warning for each kind from this source, the rest at debug.
            #expect(log.matching(.warning, "dropping malformed DHCP datagrams").count == 1)
            #expect(log.matching(.warning, "dropping unusable DHCP requests").count == 1)
            #expect(log.matching(.debug, "dropping malformed DHCP datagrams").count == rounds * malformed.count - 1)
            // After the interval, one more warning carrying the count of what was quiet.
            clock.advance(.seconds(61))
            _ = try receive([[1, 2, 3]], core: core, loop: loop, source: attacker)
            let warnings = log.matching(.warning, "dropping malformed DHCP datagrams")
            #expect(warnings.count == 2 && warnings.last?["count"] == "\(rounds * malformed.count)")
            #expect(warnings.first?["source_ip"] == "10.20.0.66")
            // Still serving.
            #expect(try receive([Self.discover(from: 1)], core: core, loop: loop) == 1)
        }
    }

    @Test func aPerMACFloodIsCountedAsRateLimited() throws {
        try withCore(limits: DHCPRateLimits(perMAC: DHCPRateLimit(rate: 1, burst: 4), perRelay: nil)) { core, loop in
            let replies = try receive(Array(repeating: Self.discover(from: 7), count: 50), core: core, loop: loop)
            #expect(replies == 4)
            clock.advance(.seconds(2))
            #expect(try receive(Array(repeating: Self.discover(from: 7), count: 50), core: core, loop: loop) == 2)
            let counted = try statistics(core, loop)
            #expect(counted.rateLimited == 94 && counted.offers == 6)
            let warnings = log.matching(.warning, "dropping DHCP requests over the rate limit")
            #expect(warnings.count == 1 && warnings.first?["mac"] == "02:00:00:00:00:07")
        }
    }

    @Test func anExhaustedPoolIsCountedAndWarnedAboutOncePerSubnet() throws {
        try withCore(limits: .off) { core, loop in
            // The fixture's rack pool has three addresses.
            let replies = try receive((0..<500).map(Self.discover(from:)), core: core, loop: loop)
            #expect(replies == 3)
            let counted = try statistics(core, loop)
            #expect(counted.poolExhausted == 497 && counted.offers == 3)
            let warnings = log.matching(.warning, "pool exhausted: DHCPDISCOVERs get no offer")
            #expect(warnings.count == 1)
            #expect(log.matching(.debug, "pool exhausted: DHCPDISCOVERs get no offer").count == 496)
            // web-01 is still offered its reservation.
            var known = Self.discover(from: 0)
            known.replaceSubrange(28..<34, with: EngineFixture.knownMAC.octets)
            #expect(try receive([known], core: core, loop: loop) == 1)
        }
    }
}
