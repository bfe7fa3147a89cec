import NIOCore
import NIOPosix

/// Groups lease changes into as few durable commits as possible: changes that arrive while a commit runs go into
/// the next one together, so one fsync serves every client of a burst. Lives on the DHCP event loop; the commit
/// itself runs on the thread pool.
final class LeaseCommitQueue {
    private let store: any LeaseStore
    private let eventLoop: any EventLoop
    private let threadPool: NIOThreadPool
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
        let batch = pending
        pending.removeAll(keepingCapacity: true)
        let store = store
        let changes = batch.map(\.change)
        threadPool.runIfActive(eventLoop: eventLoop) {
            try store.commit(changes)
        }.assumeIsolated().whenComplete { result in
            self.committing = false
            self.commitCount += 1
            self.changeCount += batch.count
            for entry in batch { entry.promise.completeWith(result) }
            self.startNextCommit()
        }
    }
}
