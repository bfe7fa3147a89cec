import NIOCore
import NIOPosix

/// Groups lease changes into as few durable commits as possible: changes that arrive while a commit runs go into
/// the next one together, so one fsync serves every client of a burst. Lives on the DHCP event loop.
///
/// Where the commit runs depends on the store. One that waits for the disk (`LeaseStore.commitWaitsForDisk`, an
/// fsync per commit) runs on the thread pool, so the loop keeps answering DISCOVERs meanwhile. One that only
/// writes to the page cache runs on the event loop itself, after the datagrams of the current loop turn are read
/// (so they share the commit), as Kea's memfile and dnsmasq write their lease files: the pool would add two thread
/// hand-offs to every ACK, each a wake-up that took up to a few milliseconds on a busy two-core VM, for a write of
/// tens of microseconds. A turn that brought more than a few changes still goes to the pool (see
/// `mostChangesCommittedOnEventLoop`).
final class LeaseCommitQueue {
    private let store: any LeaseStore
    private let eventLoop: any EventLoop
    private let threadPool: NIOThreadPool
    private let commitsOnEventLoop: Bool
    /// A bigger page-cache commit goes to the thread pool all the same: such batches come from a loaded server,
    /// where the commit's time on the loop would come out of its throughput (one loop writing each commit
    /// inline peaked at 4,250 DORA/s against 5,000 with the pool) and queueing, not hand-offs, decides latency.
    static let mostChangesCommittedOnEventLoop = 4
    private var pending: [(change: LeaseChange, promise: EventLoopPromise<Void>)] = []
    private var committing = false
    private var idleWaiters: [EventLoopPromise<Void>] = []
    /// Commits done and changes written, for the status line and benchmarks.
    private(set) var commitCount = 0
    private(set) var changeCount = 0

    init(store: any LeaseStore, eventLoop: any EventLoop, threadPool: NIOThreadPool) {
        self.store = store
        self.eventLoop = eventLoop
        self.threadPool = threadPool
        commitsOnEventLoop = !store.commitWaitsForDisk
    }

    /// Succeeds once `change` is durable; fails when the store cannot write it (the reply must then not leave).
    func commit(_ change: LeaseChange) -> EventLoopFuture<Void> {
        eventLoop.preconditionInEventLoop()
        let promise = eventLoop.makePromise(of: Void.self)
        pending.append((change, promise))
        startNextCommit()
        return promise.futureResult
    }

    /// Succeeds once nothing is pending or being written: for a graceful stop.
    func whenIdle() -> EventLoopFuture<Void> {
        eventLoop.preconditionInEventLoop()
        guard committing || !pending.isEmpty else { return eventLoop.makeSucceededVoidFuture() }
        let promise = eventLoop.makePromise(of: Void.self)
        idleWaiters.append(promise)
        return promise.futureResult
    }

    private func startNextCommit() {
        guard !committing, !pending.isEmpty else {
            if !committing {
                let waiters = idleWaiters
                idleWaiters.removeAll()
                waiters.forEach { $0.succeed() }
            }
            return
        }
        committing = true
        guard commitsOnEventLoop else { return commitOnThreadPool(takePending()) }
        // A task runs after the loop turn's reads: every change decided in this turn is pending by then.
        eventLoop.assumeIsolated().execute {
            let batch = self.takePending()
            guard batch.count <= Self.mostChangesCommittedOnEventLoop else { return self.commitOnThreadPool(batch) }
            let changes = batch.map(\.change)
            self.completed(batch, with: Result { try self.store.commit(changes) })
        }
    }

    private func commitOnThreadPool(_ batch: [(change: LeaseChange, promise: EventLoopPromise<Void>)]) {
        let changes = batch.map(\.change)
        let store = store
        threadPool.runIfActive(eventLoop: eventLoop) {
            try store.commit(changes)
        }.assumeIsolated().whenComplete { result in
            self.completed(batch, with: result)
        }
    }

    private func takePending() -> [(change: LeaseChange, promise: EventLoopPromise<Void>)] {
        defer { pending.removeAll(keepingCapacity: true) }
        return pending
    }

    private func completed(_ batch: [(change: LeaseChange, promise: EventLoopPromise<Void>)],
                           with result: Result<Void, any Error>) {
        committing = false
        commitCount += 1
        changeCount += batch.count
        for entry in batch { entry.promise.completeWith(result) }
        startNextCommit()
    }
}
