import DHCPCore
import Dispatch
import Foundation
import Synchronization

/// The one thread that writes the lease store: it takes every commit the event loop hands it and runs them in order,
/// so no write, fsync or automatic checkpoint ever runs on the DHCP event loop, whatever `lease_sync` says.
///
/// A thread of its own rather than `NIOThreadPool`: it is woken through one semaphore (a futex when it sleeps,
/// nothing when it is busy), it merges every batch queued while it was writing into one store commit, so one write
/// (and with `lease_sync: full` one fsync) serves them all, and the loop gets each commit's outcome back in one task.
final class LeaseCommitThread: Sendable {
    /// One batch: the changes of one event-loop turn and what to do, on the loop, when they are durable or refused.
    struct Batch: Sendable {
        let changes: [LeaseChange]
        let completion: @Sendable (Result<Void, any Error>) -> Void
    }

    private struct Queue {
        var batches: [Batch] = []
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

    /// Queues `batch` behind the batches already queued; its completion runs on the commit thread (hop to the
    /// loop there).
    func enqueue(_ batch: Batch) {
        let accepted = queue.withLock { queue -> Bool in
            guard !queue.stopping else { return false }
            queue.batches.append(batch)
            return true
        }
        guard accepted else {
            return batch.completion(
                .failure(
                    LeaseStoreError(
                        operation: "commit lease changes", path: "-",
                        reason: "the lease commit thread has stopped")))
        }
        wake.signal()
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
            let (batches, stopping) = queue.withLock { queue in
                defer { queue.batches.removeAll(keepingCapacity: true) }
                return (queue.batches, queue.stopping)
            }
            if !batches.isEmpty { commit(batches) }
            if stopping, queue.withLock({ $0.batches.isEmpty }) { break }
        }
        finished.signal()
    }

    /// Everything queued while the previous commit ran goes into this one.
    private func commit(_ batches: [Batch]) {
        let changes = batches.count == 1 ? batches[0].changes : batches.flatMap(\.changes)
        let result = Result { try store.commit(changes) }
        for batch in batches { batch.completion(result) }
    }
}
