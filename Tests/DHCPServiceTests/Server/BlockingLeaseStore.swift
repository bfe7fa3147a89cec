import Dispatch
import Synchronization

@testable import DHCPCore
@testable import DHCPService

/// A page-cache store (`commitWaitsForDisk` false, like `lease_sync: normal`) whose every commit blocks until the
/// test opens the gate: while it is blocked, anything that still happens on the event loop proves the commit is not
/// running there. A stall shows as a loop that does not turn, not as a slow clock.
final class BlockingLeaseStore: LeaseStore {
    let commitWaitsForDisk = false
    /// Signalled each time a commit starts (and is about to block).
    let entered = DispatchSemaphore(value: 0)
    private let gate = DispatchSemaphore(value: 0)
    /// Every commit's changes, in order.
    let commits = Mutex<[[LeaseChange]]>([])

    func loadAll() throws -> [Lease] { [] }
    func commit(_ changes: [LeaseChange]) throws {
        entered.signal()
        gate.wait()
        commits.withLock { $0.append(changes) }
    }
    func removeExpired(before time: Int64) throws -> Int { 0 }
    func checkHealth() throws {}

    /// Lets `count` blocked (or future) commits finish.
    func release(_ count: Int = 1) {
        for _ in 0..<count { gate.signal() }
    }

    /// Waits up to `seconds` for a commit to start.
    func waitForCommit(seconds: Int = 10) -> Bool {
        entered.wait(timeout: .now() + .seconds(seconds)) == .success
    }
}
