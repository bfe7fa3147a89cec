import Testing

@testable import TFTPCore

/// The admission rules: one transfer per client TID, a cap with a message that says why, slots freed on finish.
struct TFTPTransferTableTests {
    @Test func startsUntilTheCapThenRefusesWithTheRunningCount() {
        var table = TFTPTransferTable<String>(capacity: 2)
        #expect(table.admit("a:1") == .start)
        #expect(table.admit("b:1") == .start)
        #expect(table.admit("c:1") == .busy(message: "Server busy: 2 transfers running, try again later"))
        #expect(table.refusedBusy == 1)
        #expect(table.running == ["a:1", "b:1"])
    }

    @Test func aRepeatedRequestFromARunningClientIsADuplicateNotASecondTransfer() {
        var table = TFTPTransferTable<String>(capacity: 1)
        #expect(table.admit("a:1") == .start)
        #expect(table.admit("a:1") == .duplicate)
        #expect(table.ignoredDuplicates == 1)
        #expect(table.refusedBusy == 0)
        #expect(table.running.count == 1)
    }

    @Test func finishingFreesTheSlotAndTheClientMayAskAgain() {
        var table = TFTPTransferTable<String>(capacity: 1)
        #expect(table.admit("a:1") == .start)
        table.finish("a:1")
        #expect(table.admit("b:1") == .start)
        table.finish("b:1")
        #expect(table.admit("b:1") == .start)
    }

    @Test func aCapBelowOneStillAdmitsOneTransfer() {
        var table = TFTPTransferTable<String>(capacity: 0)
        #expect(table.capacity == 1)
        #expect(table.admit("a:1") == .start)
    }
}
