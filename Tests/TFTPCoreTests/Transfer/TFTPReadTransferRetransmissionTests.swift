import NIOCore
import Testing

@testable import TFTPCore

/// Timeout-driven retransmission with back-off, giving up, and the end-of-transfer rules (docs/protocol.md, "timeout
/// and retransmission" and "End of transfer and the final ACK").
struct TFTPReadTransferRetransmissionTests {
    @Test func timeoutResendsTheWholeWindowFromTheFirstUnacknowledgedBlockWithBackOff() {
        var transfer = TFTPReadTransfer(
            request: octetRequest([("windowsize", "4")]), transferSize: 100 * 512, interfaceMTU: nil)
        _ = transfer.start(now: instant(0))
        _ = transfer.receivedAcknowledgement(block: 0, now: instant(0))
        _ = transfer.receivedAcknowledgement(block: 4, now: instant(0))
        let first = transfer.timerFired(now: instant(1))
        #expect(first.blockNumbers == [5, 6, 7, 8])
        #expect(first.timerDeadline == instant(3))
        #expect(transfer.timerFired(now: instant(3)).timerDeadline == instant(7))
        #expect(transfer.timerFired(now: instant(7)).timerDeadline == instant(15))
        #expect(transfer.timerFired(now: instant(15)).timerDeadline == instant(23), "back-off capped at 8 s")
        // Progress resets the back-off.
        let resumed = transfer.receivedAcknowledgement(block: 6, now: instant(20))
        #expect(resumed.blockNumbers == [7, 8, 9, 10])
        #expect(resumed.timerDeadline == instant(21))
    }

    @Test func negotiatedTimeoutIsTheBaseOfTheBackOff() {
        var transfer = TFTPReadTransfer(
            request: octetRequest([("timeout", "3")]), transferSize: 2000,
            interfaceMTU: nil, limits: .init(maximumRetransmitTimeout: .seconds(8)))
        #expect(transfer.start(now: instant(0)).timerDeadline == instant(3))
        #expect(transfer.receivedAcknowledgement(block: 0, now: instant(1)).timerDeadline == instant(4))
        #expect(transfer.timerFired(now: instant(4)).timerDeadline == instant(10))
        #expect(transfer.timerFired(now: instant(10)).timerDeadline == instant(18), "doubling capped at 8 s")
    }

    @Test func staleTimerIsIgnored() {
        var transfer = TFTPReadTransfer(request: octetRequest(), transferSize: 2000, interfaceMTU: nil)
        _ = transfer.start(now: instant(0))
        _ = transfer.receivedAcknowledgement(block: 1, now: instant(0, milliseconds: 900))
        #expect(transfer.timerFired(now: instant(1)) == [], "deadline moved to 1.9 s by the ACK")
        #expect(transfer.timerFired(now: instant(1, milliseconds: 900)).blockNumbers == [2])
    }

    @Test func duplicateAckDoesNotResendButTimeoutDoes() {
        var transfer = TFTPReadTransfer(request: octetRequest(), transferSize: 2000, interfaceMTU: nil)
        _ = transfer.start(now: instant(0))
        _ = transfer.receivedAcknowledgement(block: 1, now: instant(0))
        #expect(transfer.receivedAcknowledgement(block: 1, now: instant(0, milliseconds: 500)) == [])
        let resent = transfer.timerFired(now: instant(1))
        #expect(resent.blockNumbers == [2])
        _ = transfer.receivedAcknowledgement(block: 2, now: instant(1))
        _ = transfer.receivedAcknowledgement(block: 3, now: instant(1))
        let last = transfer.receivedAcknowledgement(block: 4, now: instant(2))
        #expect(last.finish?.statistics.retransmittedPackets == 1)
        #expect(last.finish?.statistics.dataPacketsSent == 5)
    }

    @Test func givesUpAfterConfiguredRetriesMidTransfer() {
        let limits = TFTPTransferLimits(maximumRetransmissions: 3)
        var transfer = TFTPReadTransfer(request: octetRequest(), transferSize: 5000, interfaceMTU: nil, limits: limits)
        _ = transfer.start(now: instant(0))
        var now = transfer.receivedAcknowledgement(block: 1, now: instant(0)).timerDeadline!
        for _ in 1...3 {
            now = transfer.timerFired(now: now).timerDeadline!
        }
        let end = transfer.timerFired(now: now)
        #expect(end.finish?.outcome == .failed(.retransmissionsExhausted(firstUnacknowledgedBlock: 2)))
        #expect(end.finish?.statistics.retransmittedPackets == 3)
        #expect(end.finish?.statistics.bytesAcknowledged == 512)
    }

    @Test func missingFinalAckAfterRetriesIsCompletionNotFailure() {
        let limits = TFTPTransferLimits(maximumRetransmissions: 2)
        var transfer = TFTPReadTransfer(request: octetRequest(), transferSize: 600, interfaceMTU: nil, limits: limits)
        _ = transfer.start(now: instant(0))
        #expect(transfer.receivedAcknowledgement(block: 1, now: instant(0)).blockNumbers == [2])
        #expect(transfer.timerFired(now: instant(1)).blockNumbers == [2], "the final block is still retransmitted")
        #expect(transfer.timerFired(now: instant(3)).blockNumbers == [2])
        let end = transfer.timerFired(now: instant(7))
        #expect(end.finish?.outcome == .completed(finalAcknowledgementReceived: false))
        #expect(end.finish?.statistics.blocksAcknowledged == 1)
    }

    @Test func missingFinalAckOfAWindowIsCompletion() {
        let limits = TFTPTransferLimits(maximumRetransmissions: 0)
        var transfer = TFTPReadTransfer(
            request: octetRequest([("windowsize", "4")]), transferSize: 3 * 512, interfaceMTU: nil, limits: limits)
        _ = transfer.start(now: instant(0))
        #expect(transfer.receivedAcknowledgement(block: 0, now: instant(0)).blockNumbers == [1, 2, 3, 4])
        #expect(transfer.timerFired(now: instant(1)).finish?.outcome == .completed(finalAcknowledgementReceived: false))
    }

    @Test func noProgressCapEndsATransferWhoseClientOnlyRepeatsItself() {
        let limits = TFTPTransferLimits(
            maximumRetransmitTimeout: .seconds(4), maximumRetransmissions: 1000, noProgressTimeout: .seconds(30))
        var transfer = TFTPReadTransfer(request: octetRequest(), transferSize: 5000, interfaceMTU: nil, limits: limits)
        _ = transfer.start(now: instant(0))
        _ = transfer.receivedAcknowledgement(block: 1, now: instant(10))
        var now = instant(11)
        var finish: (outcome: TFTPTransferOutcome, statistics: TFTPTransferStatistics)?
        for _ in 0..<100 {
            #expect(transfer.receivedAcknowledgement(block: 1, now: now) == [])
            let actions = transfer.timerFired(now: now)
            if let end = actions.finish {
                finish = end
                break
            }
            now = actions.timerDeadline!
        }
        #expect(finish?.outcome == .failed(.noProgress(for: .seconds(31))))
    }
}
