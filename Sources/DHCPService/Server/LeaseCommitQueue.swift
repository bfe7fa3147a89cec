import DHCPCore
import Inventory
import NIOCore
import NIOPosix

/// Groups lease changes into as few commits as possible and keeps every commit off the DHCP event loop. Lives on
/// that loop. Reads of a shared store (`lookup`) go the same way, in order with the commits.
///
/// The changes decided in one loop turn go to the `LeaseCommitThread` together, in one task that runs after the
/// turn's datagrams are read; the thread merges every batch that queued up while it was writing into its next
/// commit, so under load one write (one fsync with `lease_sync: full`) serves many clients. Each change's future
/// succeeds once its commit has returned, so a reply waiting on it never leaves before its lease is stored.
///
/// Not even a page-cache commit (`lease_sync: normal`) runs on the loop: a write still takes the database lock and
/// can hit SQLite's automatic checkpoint, and the loop stops answering for that long (bench/HISTORY.md, "Lease
/// commits on the event loop").
final class LeaseCommitQueue {
    private let eventLoop: any EventLoop
    private let thread: LeaseCommitThread
    /// The current turn's changes, not yet handed to the thread.
    private var pending: [LeaseChange] = []
    private var pendingPromises: [EventLoopPromise<LeaseCommitOutcome>] = []
    private var handOffScheduled = false
    /// Batches handed to the thread whose outcome has not come back yet.
    private var batchesInFlight = 0
    private var idleWaiters: [EventLoopPromise<Void>] = []
    private let metrics: DHCPMetrics?

    /// Starts the queue's commit thread, which ends when the queue does (or at `stop()`).
    init(store: any LeaseStore, eventLoop: any EventLoop, metrics: DHCPMetrics? = nil) {
        self.eventLoop = eventLoop
        self.metrics = metrics
        thread = LeaseCommitThread(store: store)
    }

    deinit {
        thread.stop()
    }

    /// Succeeds once `change` is durable (`.stored`) or a shared store has refused it (`.refused`); fails when the
    /// store cannot write at all. Either way but `.stored`, the reply must not leave.
    func commit(_ change: LeaseChange) -> EventLoopFuture<LeaseCommitOutcome> {
        eventLoop.preconditionInEventLoop()
        let promise = eventLoop.makePromise(of: LeaseCommitOutcome.self)
        pending.append(change)
        pendingPromises.append(promise)
        if !handOffScheduled {
            handOffScheduled = true
            // A task runs after the loop turn's reads: every change decided in this turn is pending by then.
            eventLoop.assumeIsolated().execute { self.handOff() }
        }
        return promise.futureResult
    }

    /// What a shared store holds around `address`, read after every change already handed over is committed.
    func lookup(_ address: IPv4Address) -> EventLoopFuture<StoredLeases> {
        eventLoop.preconditionInEventLoop()
        handOff()
        let promise = eventLoop.makePromise(of: StoredLeases.self)
        batchesInFlight += 1
        let queue = NIOLoopBound(self, eventLoop: eventLoop)
        let loop = eventLoop
        thread.enqueue(
            LeaseCommitThread.Lookup(address: address) { result in
                loop.execute {
                    promise.completeWith(result)
                    queue.value.jobCompleted()
                }
            })
        return promise.futureResult
    }

    /// Succeeds once nothing is pending or being written: for a graceful stop.
    func whenIdle() -> EventLoopFuture<Void> {
        eventLoop.preconditionInEventLoop()
        guard isBusy else { return eventLoop.makeSucceededVoidFuture() }
        let promise = eventLoop.makePromise(of: Void.self)
        idleWaiters.append(promise)
        return promise.futureResult
    }

    /// Ends the commit thread once it has written what it was given; later commits fail.
    func stop() {
        thread.stop()
    }

    private var isBusy: Bool { handOffScheduled || batchesInFlight > 0 }

    private func handOff() {
        handOffScheduled = false
        guard !pending.isEmpty else { return }
        let promises = pendingPromises
        let changes = pending
        pending.removeAll(keepingCapacity: true)
        pendingPromises.removeAll(keepingCapacity: true)
        batchesInFlight += 1
        let loop = eventLoop
        let queue = NIOLoopBound(self, eventLoop: loop)
        let handedOff = ContinuousClock.now
        let metrics = metrics
        thread.enqueue(
            LeaseCommitThread.Batch(changes: changes) { result in
                metrics?.committed(after: ContinuousClock.now - handedOff)
                loop.execute { queue.value.completed(promises, with: result) }
            })
    }

    private func completed(
        _ promises: [EventLoopPromise<LeaseCommitOutcome>], with result: Result<[LeaseCommitOutcome], any Error>
    ) {
        switch result {
        case .success(let outcomes):
            for (promise, outcome) in zip(promises, outcomes) { promise.succeed(outcome) }
        case .failure(let error):
            for promise in promises { promise.fail(error) }
        }
        jobCompleted()
    }

    private func jobCompleted() {
        batchesInFlight -= 1
        guard !isBusy else { return }
        let waiters = idleWaiters
        idleWaiters.removeAll()
        for waiter in waiters { waiter.succeed() }
    }
}
