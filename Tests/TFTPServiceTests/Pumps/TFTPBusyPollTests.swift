import Testing

@testable import TFTPCore
@testable import TFTPService

/// When a pump polls before it sleeps: only with a budget, only with a lone transfer, only while waits end within
/// the budget, and only one pump at a time.
struct TFTPBusyPollTests {
    @Test func aZeroBudgetNeverSpins() {
        var poll = TFTPBusyPoll(budgetMicroseconds: 0)
        #expect(poll.spinNanoseconds(transfers: 1) == 0)
        poll.waited(nanoseconds: 0, transfers: 1)
        #expect(poll.spinNanoseconds(transfers: 1) == 0)
    }

    @Test func spinsOnlyForALoneTransfer() {
        let poll = TFTPBusyPoll(budgetMicroseconds: 200)
        #expect(poll.spinNanoseconds(transfers: 0) == 0, "an idle pump sleeps")
        #expect(poll.spinNanoseconds(transfers: 1) == 200_000)
        #expect(poll.spinNanoseconds(transfers: 2) == 0, "two transfers answer each other's gaps")
        #expect(poll.spinNanoseconds(transfers: 500) == 0, "a boot storm's pump never waits long")
    }

    @Test func aWaitLongerThanTheBudgetStopsSpinningUntilAShortOne() {
        var poll = TFTPBusyPoll(budgetMicroseconds: 200)
        poll.waited(nanoseconds: 150_000, transfers: 1)
        #expect(poll.spinNanoseconds(transfers: 1) == 200_000)
        poll.waited(nanoseconds: 200_000, transfers: 1)
        #expect(poll.spinNanoseconds(transfers: 1) == 200_000, "an answer at the budget's end still came in time")
        poll.waited(nanoseconds: 1_000_000, transfers: 1)  // a client 1 ms away
        #expect(poll.spinNanoseconds(transfers: 1) == 0)
        poll.waited(nanoseconds: 1_000_000, transfers: 1)
        #expect(poll.spinNanoseconds(transfers: 1) == 0, "stays off while answers stay slow")
        poll.waited(nanoseconds: 60_000, transfers: 1)
        #expect(poll.spinNanoseconds(transfers: 1) == 200_000)
    }

    @Test func anIdleWaitTurnsSpinningBackOn() {
        var poll = TFTPBusyPoll(budgetMicroseconds: 200)
        poll.waited(nanoseconds: 5_000_000_000, transfers: 1)  // a stalled client, then the transfer ended
        #expect(poll.spinNanoseconds(transfers: 1) == 0)
        poll.waited(nanoseconds: 30_000_000_000, transfers: 0)  // idle until the next transfer came
        #expect(poll.spinNanoseconds(transfers: 1) == 200_000, "a new transfer starts with spinning on")
    }

    @Test func oneHolderOfTheSlotAtATime() {
        let slot = TFTPBusyPollSlot()
        #expect(slot.acquire())
        #expect(!slot.acquire(), "another pump sleeps while one spins")
        slot.release()
        #expect(slot.acquire())
    }
}
