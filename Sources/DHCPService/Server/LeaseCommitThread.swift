import DHCPCore
import Dispatch
import Foundation
import Inventory
import Synchronization

/// The one thread that writes the lease store: it takes every commit the event loop hands it and runs them in order,
/// so no write, fsync or automatic checkpoint ever runs on the DHCP event loop, whatever `lease_sync` says. Reads of
/// a shared store (`Lookup`) run here too, in order with the commits.
///
/// A thread of its own rather than `NIOThreadPool`: it is woken through one semaphore (a futex when it sleeps,
/// nothing when it is busy), it merges every batch queued while it was writing into one store commit, so one write
/// (and with `lease_sync: full` one fsync) serves them all, and the loop gets each commit's outcome back in one task.
final class LeaseCommitThread: Sendable {
    /// One batch: the changes of one event-loop turn and what to do, on the loop, when they are durable or refused:
    /// one outcome per change, or the error that refused them all.
    struct Batch: Sendable {
        let changes: [LeaseChange]
        let completion: @Sendable (Result<[LeaseCommitOutcome], any Error>) -> Void
    }

    /// A read of what a shared store holds around one address.
    struct Lookup: Sendable {
        let address: IPv4Address
        let completion: @Sendable (Result<StoredLeases, any Error>) -> Void
    }

    private enum Job: Sendable {
        case batch(Batch)
        case lookup(Lookup)
    }

    private struct Queue {
        var jobs: [Job] = []
        var stopping = false
    }

    private let store: any LeaseStore
    private let queue = Mutex(Queue())
    private let wake = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)

    /// Starts the thread; it runs until `stop()`.
    init(store: any LeaseStore, name: String = "rackboot-lease-commit") {
        self.store = store
        let thread = Thread { [self] in run() }
        thread.name = name
        thread.start()
    }

    /// Queues `batch` behind the jobs already queued; its completion runs on the commit thread (hop to the loop
    /// there).
    func enqueue(_ batch: Batch) {
        guard enqueue(.batch(batch)) else { return batch.completion(.failure(Self.stopped)) }
    }

    /// Queues `lookup` behind the jobs already queued; its completion runs on the commit thread.
    func enqueue(_ lookup: Lookup) {
        guard enqueue(.lookup(lookup)) else { return lookup.completion(.failure(Self.stopped)) }
    }

    private static let stopped = LeaseStoreError(
        operation: "commit lease changes", path: "-", reason: "the lease commit thread has stopped")

    private func enqueue(_ job: Job) -> Bool {
        let accepted = queue.withLock { queue -> Bool in
            guard !queue.stopping else { return false }
            queue.jobs.append(job)
            return true
        }
        if accepted { wake.signal() }
        return accepted
    }

    /// Lets the thread finish what is queued, then end. `waitUntilFinished` blocks the caller until it has (never
    /// call that on an event loop).
    func stop(waitUntilFinished: Bool = false) {
        let first = queue.withLock { queue -> Bool in
            defer { queue.stopping = true }
            return !queue.stopping
        }
        if first { wake.signal() }
        if waitUntilFinished {
            finished.wait()
            finished.signal()
        }
    }

    private func run() {
        while true {
            wake.wait()
            let (jobs, stopping) = queue.withLock { queue in
                defer { queue.jobs.removeAll(keepingCapacity: true) }
                return (queue.jobs, queue.stopping)
            }
            var batches: [Batch] = []
            for job in jobs {
                switch job {
                case .batch(let batch):
                    batches.append(batch)
                case .lookup(let lookup):
                    commit(batches)
                    batches.removeAll()
                    lookup.completion(Result { try store.storedLeases(around: lookup.address) })
                }
            }
            commit(batches)
            if stopping, queue.withLock({ $0.jobs.isEmpty }) { break }
        }
        finished.signal()
    }

    /// Everything queued while the previous commit ran goes into this one; each batch gets its own outcomes back.
    private func commit(_ batches: [Batch]) {
        guard !batches.isEmpty else { return }
        let changes = batches.count == 1 ? batches[0].changes : batches.flatMap(\.changes)
        switch Result(catching: { try store.apply(changes) }) {
        case .success(let outcomes) where outcomes.count != changes.count:
            let error = LeaseStoreError(
                operation: "commit \(changes.count) lease changes", path: "-",
                reason: "the store answered \(outcomes.count) outcomes")
            for batch in batches { batch.completion(.failure(error)) }
        case .success(let outcomes):
            var start = 0
            for batch in batches {
                batch.completion(.success(Array(outcomes[start..<(start + batch.changes.count)])))
                start += batch.changes.count
            }
        case .failure(let error):
            for batch in batches { batch.completion(.failure(error)) }
        }
    }
}
