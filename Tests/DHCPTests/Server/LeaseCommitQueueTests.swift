import Inventory
import NIOCore
import NIOPosix
import Synchronization
import Testing
@testable import DHCP

/// Where grouped commits run: a store that fsyncs is committed on the thread pool, one whose commits end in the
/// page cache on the event loop itself, after the loop turn's other changes joined the same commit.
@Suite struct LeaseCommitQueueTests {
    /// Records each commit's changes and whether it ran on the event loop's thread.
    final class RecordingStore: LeaseStore {
        let commitWaitsForDisk: Bool
        let eventLoop: any EventLoop
        let commits = Mutex<[(changes: [LeaseChange], onEventLoop: Bool)]>([])

        init(commitWaitsForDisk: Bool, eventLoop: any EventLoop) {
            self.commitWaitsForDisk = commitWaitsForDisk
            self.eventLoop = eventLoop
        }

        func loadAll() throws -> [Lease] { [] }
        func commit(_ changes: [LeaseChange]) throws {
            let onEventLoop = eventLoop.inEventLoop
            commits.withLock { $0.append((changes, onEventLoop)) }
        }
        func removeExpired(before time: Int64) throws -> Int { 0 }
        func checkHealth() throws {}
    }

    /// A bind for the `index`-th (1–9) test machine.
    static func change(_ index: UInt8) -> LeaseChange {
        .bind(Lease(address: IPv4Address(rawValue: 0x0a00_0000 | UInt32(index)),
                    mac: MACAddress("52:54:00:00:00:0\(index)")!, state: .bound, expiry: 3600))
    }

    /// Commits `count` changes from one loop turn and waits until all are durable; returns the store's record.
    func commitInOneTurn(_ count: UInt8 = 3, waitsForDisk: Bool) throws -> [(changes: [LeaseChange], onEventLoop: Bool)] {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        defer {
            try? pool.syncShutdownGracefully()
            try? group.syncShutdownGracefully()
        }
        let loop = group.next()
        let store = RecordingStore(commitWaitsForDisk: waitsForDisk, eventLoop: loop)
        let done = try loop.submit {
            let queue = LeaseCommitQueue(store: store, eventLoop: loop, threadPool: pool)
            let futures = (1...count).map { queue.commit(Self.change($0)) }
            return EventLoopFuture.andAllSucceed(futures, on: loop).assumeIsolated()
                .flatMap { queue.whenIdle() }.nonisolated()
        }.wait()
        try done.wait()
        return store.commits.withLock { $0 }
    }

    @Test func aPageCacheStoreCommitsOnTheEventLoopWithTheWholeTurnInOneCommit() throws {
        let commits = try commitInOneTurn(waitsForDisk: false)
        #expect(commits.count == 1)
        #expect(commits.first?.changes == (1...3).map { Self.change($0) })
        #expect(commits.first?.onEventLoop == true)
    }

    @Test func aStoreThatWaitsForTheDiskCommitsOnThePool() throws {
        let commits = try commitInOneTurn(waitsForDisk: true)
        #expect(commits.allSatisfy { !$0.onEventLoop })
        #expect(commits.flatMap(\.changes) == (1...3).map { Self.change($0) })
        // The first change starts a commit at once; the two decided while it runs share the next one.
        #expect(commits.count == 2)
    }

    @Test func aLoadedTurnOfAPageCacheStoreCommitsOnThePoolInOneCommit() throws {
        let count = UInt8(LeaseCommitQueue.mostChangesCommittedOnEventLoop + 1)
        let commits = try commitInOneTurn(count, waitsForDisk: false)
        #expect(commits.count == 1)
        #expect(commits.first?.changes == (1...count).map { Self.change($0) })
        #expect(commits.first?.onEventLoop == false)
    }
}
