import Synchronization
import TFTPCore

/// How long a transfer pump polls without sleeping before it sleeps (`tftp.busy_poll_us`).
///
/// A lock-step transfer is one round trip per block, and each time the pump sleeps for the client's ACK it pays
/// a sleep and a wake-up: on a VM that costs more than a client on the same host or the same switch takes to
/// answer. Polling through that gap is faster and, on such a fast path, even cheaper (docs/tftp-io.md, "Busy
/// polling"). It pays only for a lone transfer: with two or more on a pump, or on two pumps at once, the spins
/// add CPU time without adding speed, and in a boot storm there is always another transfer's datagram waiting.
/// So a pump spins only while it runs one transfer, only while no other pump spins (`TFTPBusyPollSlot`), and
/// only after a wait that ended within the budget: a slow client (a routed rack's 1 ms round trip) or a stalled
/// one turns it off after one wasted spin, and the first short wait, or a wait with no transfer at all, turns it
/// on again. Pure: the pump measures its waits and reports them.
struct TFTPBusyPoll {
    /// The spin before each sleep; 0 switches busy polling off.
    let budgetNanoseconds: Int64
    private var lastWaitEndedWithinBudget = true

    init(budgetMicroseconds: Int) {
        budgetNanoseconds = Int64(max(0, budgetMicroseconds)) * 1000
    }

    /// How long the next wait should spin before it sleeps, for a pump running `transfers` transfers, if it gets
    /// the slot.
    func spinNanoseconds(transfers: Int) -> Int64 {
        guard budgetNanoseconds > 0, transfers == 1, lastWaitEndedWithinBudget else { return 0 }
        return budgetNanoseconds
    }

    /// Records how long the last wait lasted, spin and sleep together, up to its first event or its timeout, and
    /// how many transfers the pump ran during it. An idle pump's wait tells nothing of how fast clients answer.
    mutating func waited(nanoseconds: Int64, transfers: Int) {
        lastWaitEndedWithinBudget = transfers == 0 || nanoseconds <= budgetNanoseconds
    }
}

/// The right to spin, shared by the server's pumps: held by at most one at a time, so busy polling never takes
/// more than one core from the clients and the rest of the machine.
final class TFTPBusyPollSlot: Sendable {
    private let taken = Atomic<Bool>(false)

    init() {}

    /// Takes the slot if it is free; the caller spins only then, and releases it after its wait.
    func acquire() -> Bool {
        taken.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged
    }

    func release() {
        taken.store(false, ordering: .releasing)
    }
}
