import Dispatch
import Inventory
import Logging
import NIOCore
import NIOPosix
import Synchronization
import Testing

@testable import DHCPCore
@testable import DHCPService

/// No commit runs on the DHCP event loop, whatever the store's durability: with a page-cache store (`lease_sync:
/// normal`) whose commit is held blocked, the loop still turns and still answers DISCOVERs, and the held ACK
/// leaves only once its commit is done. Each check waits for a loop turn, never for a duration: the bound on the
/// wait only keeps a stalled loop from hanging the suite.
@Suite struct LeaseCommitStallTests {
    /// Whether `future` completes within `seconds` (a generous bound: a healthy loop answers in microseconds).
    static func completes<T>(_ future: EventLoopFuture<T>, within seconds: Int = 5) -> Bool {
        let done = DispatchSemaphore(value: 0)
        future.whenComplete { _ in done.signal() }
        return done.wait(timeout: .now() + .seconds(seconds)) == .success
    }

    @Test func theEventLoopTurnsWhileAPageCacheCommitIsBlocked() throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let loop = group.next()
        let store = BlockingLeaseStore()
        let queue = try loop.submit {
            NIOLoopBound(LeaseCommitQueue(store: store, eventLoop: loop), eventLoop: loop)
        }.wait()
        let first = try loop.submit { queue.value.commit(LeaseCommitQueueTests.change(1)) }.wait()
        #expect(store.waitForCommit())
        // The commit is blocked now. The loop must still run a task, and take two more changes in two turns.
        let turned = Self.completes(loop.submit {})
        let later = loop.submit {
            [queue.value.commit(LeaseCommitQueueTests.change(2))]
        }.flatMap { futures in
            loop.submit { futures + [queue.value.commit(LeaseCommitQueueTests.change(3))] }
        }
        let tookMore = Self.completes(later)
        #expect(turned, "the event loop did not turn while a lease commit was blocked")
        #expect(tookMore, "the event loop took no new change while a lease commit was blocked")
        #expect(!Self.completes(first, within: 0), "a change was reported durable before its commit returned")
        // Each change reaches the commit thread in a task after its turn; one more turn runs the last of those
        // first, so both wait at the thread before the blocked commit is released.
        try loop.submit {}.wait()
        store.release(3)
        #expect(try first.wait() == .stored)
        for future in try later.wait() { #expect(try future.wait() == .stored) }
        // The changes that arrived while the first commit ran went into the next commit together.
        #expect(
            store.commits.withLock { $0 } == [
                [LeaseCommitQueueTests.change(1)],
                [LeaseCommitQueueTests.change(2), LeaseCommitQueueTests.change(3)],
            ])
    }

    /// Replies sent by the core, by message type, in order.
    final class SentReplies: Sendable {
        let types = Mutex<[DHCPMessageType]>([])
        func record(_ reply: DHCPReply) {
            if let type = reply.message.options.messageType { types.withLock { $0.append(type) } }
        }
        var current: [DHCPMessageType] { types.withLock { $0 } }
    }

    @Test func aDiscoverIsOfferedWhileAnotherClientsAcknowledgementWaitsForItsCommit() throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        defer {
            try? pool.syncShutdownGracefully()
            try? group.syncShutdownGracefully()
        }
        let loop = group.next()
        let store = BlockingLeaseStore()
        let core = try loop.submit {
            NIOLoopBound(
                DHCPServerCore(
                    engine: EngineFixture.engine(), store: store, eventLoop: loop,
                    threadPool: pool, inventory: { EngineFixture.inventory },
                    logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }),
                eventLoop: loop)
        }.wait()
        func datagram(_ message: DHCPMessage) throws -> ByteBuffer {
            var buffer = ByteBuffer()
            _ = try buffer.writeDHCPMessage(message)
            return buffer
        }
        let requester = MACAddress("52:54:00:99:00:01")!
        let request = try datagram(
            EngineFixture.request(.request, mac: requester) {
                $0.options.requestedAddress = IPv4Address("10.20.0.100")
            })
        let discover = try datagram(EngineFixture.request(.discover, mac: MACAddress("52:54:00:99:00:02")!, xid: 9))
        let acknowledged = SentReplies()
        let offered = SentReplies()
        try loop.submit { core.value.receive(request, arrival: EngineFixture.onLink, send: acknowledged.record) }.wait()
        #expect(store.waitForCommit())
        // The REQUEST's commit is blocked: the DISCOVER that comes next must still get its OFFER.
        let answered = Self.completes(
            loop.submit {
                core.value.receive(discover, arrival: EngineFixture.onLink, send: offered.record)
            })
        #expect(answered, "the event loop did not turn while a lease commit was blocked")
        #expect(offered.current == [.offer])
        #expect(acknowledged.current == [], "the ACK left before its lease was committed")
        store.release()
        try loop.flatSubmit { core.value.drainCommits() }.wait()
        #expect(acknowledged.current == [.acknowledgement])
    }
}
