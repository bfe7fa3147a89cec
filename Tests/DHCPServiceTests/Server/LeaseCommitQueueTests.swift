import Inventory
import NIOCore
import NIOPosix
import Synchronization
import Testing

@testable import DHCPCore
@testable import DHCPService

/// Where grouped commits run: on the commit thread, never on the event loop, whether the store fsyncs or writes to
/// the page cache, with the loop turn's changes in one commit.
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
        .bind(
            Lease(
                address: IPv4Address(rawValue: 0x0a00_0000 | UInt32(index)),
                mac: MACAddress("52:54:00:00:00:0\(index)")!, state: .bound, expiry: 3600))
    }

    /// Commits `count` changes from one loop turn and waits until all are durable; returns the store's record.
    func commitInOneTurn(_ count: UInt8 = 3, waitsForDisk: Bool) throws -> [(changes: [LeaseChange], onEventLoop: Bool)]
    {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let loop = group.next()
        let store = RecordingStore(commitWaitsForDisk: waitsForDisk, eventLoop: loop)
        let done = try loop.submit {
            let queue = LeaseCommitQueue(store: store, eventLoop: loop)
            let futures = (1...count).map { queue.commit(Self.change($0)) }
            return EventLoopFuture.andAllSucceed(futures, on: loop).assumeIsolated()
                .flatMap { queue.whenIdle() }.nonisolated()
        }.wait()
        try done.wait()
        return store.commits.withLock { $0 }
    }

    @Test(arguments: [false, true])
    func aTurnsChangesShareOneCommitOffTheEventLoop(waitsForDisk: Bool) throws {
        let commits = try commitInOneTurn(waitsForDisk: waitsForDisk)
        #expect(commits.count == 1)
        #expect(commits.first?.changes == (1...3).map { Self.change($0) })
        #expect(commits.first?.onEventLoop == false)
    }

    @Test func aStoreThatCannotWriteFailsEveryChangeOfItsCommit() throws {
        struct FullDisk: Error {}
        final class FailingStore: LeaseStore {
            func loadAll() throws -> [Lease] { [] }
            func commit(_ changes: [LeaseChange]) throws { throw FullDisk() }
            func removeExpired(before time: Int64) throws -> Int { 0 }
            func checkHealth() throws {}
        }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let loop = group.next()
        let results = try loop.submit {
            let queue = LeaseCommitQueue(store: FailingStore(), eventLoop: loop)
            let futures = (1...2).map { queue.commit(Self.change($0)) }
            return EventLoopFuture.whenAllComplete(futures, on: loop)
        }.wait().wait()
        #expect(results.count == 2)
        #expect(results.allSatisfy { if case .failure = $0 { true } else { false } })
    }
}
