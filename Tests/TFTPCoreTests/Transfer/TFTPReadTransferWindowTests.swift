import NIOCore
import Testing

@testable import TFTPCore

/// RFC 7440 windows and the ACK rules that keep a transfer from melting down (docs/protocol.md, "windowsize (RFC 7440)"
/// and "Sorcerer's Apprentice").
struct TFTPReadTransferWindowTests {
    /// A windowsize-4, blksize-512 transfer of 10 full blocks plus a 100-byte tail, past its OACK.
    private func windowedTransfer() -> TFTPReadTransfer {
        var transfer = TFTPReadTransfer(
            request: octetRequest([("blksize", "512"), ("windowsize", "4")]), transferSize: 10 * 512 + 100,
            interfaceMTU: 1500)
        _ = transfer.start(now: instant(0))
        return transfer
    }

    @Test func ackOfWindowEndSendsNextWindow() {
        var transfer = windowedTransfer()
        #expect(transfer.receivedAcknowledgement(block: 0, now: instant(0)).blockNumbers == [1, 2, 3, 4])
        #expect(transfer.receivedAcknowledgement(block: 4, now: instant(0)).blockNumbers == [5, 6, 7, 8])
        let last = transfer.receivedAcknowledgement(block: 8, now: instant(0))
        #expect(
            last.dataBlocks == [
                TFTPDataBlock(index: 9, offset: 4096, length: 512),
                TFTPDataBlock(index: 10, offset: 4608, length: 512),
                TFTPDataBlock(index: 11, offset: 5120, length: 100),
            ])
        let end = transfer.receivedAcknowledgement(block: 11, now: instant(3))
        #expect(end.finish?.outcome == .completed(finalAcknowledgementReceived: true))
        #expect(
            end.finish?.statistics
                == TFTPTransferStatistics(
                    transferSize: 5220, bytesAcknowledged: 5220, blocksAcknowledged: 11, dataPacketsSent: 11,
                    retransmittedPackets: 0, blockSize: 512, windowSize: 4, duration: .seconds(3)))
    }

    @Test func partialWindowAckSlidesTheWindowFromTheGap() {
        var transfer = windowedTransfer()
        _ = transfer.receivedAcknowledgement(block: 0, now: instant(0))
        // The client got 1 and 2, missed 3: it ACKs 2 and expects 3 onwards.
        let slid = transfer.receivedAcknowledgement(block: 2, now: instant(0))
        #expect(slid.blockNumbers == [3, 4, 5, 6])
        #expect(slid.timerDeadline == instant(1))
    }

    @Test func duplicateAckNeverTriggersAResend() {
        var transfer = windowedTransfer()
        _ = transfer.receivedAcknowledgement(block: 0, now: instant(0))
        _ = transfer.receivedAcknowledgement(block: 4, now: instant(0))
        #expect(transfer.receivedAcknowledgement(block: 4, now: instant(0)) == [])
        #expect(transfer.receivedAcknowledgement(block: 4, now: instant(0)) == [])
        #expect(transfer.receivedAcknowledgement(block: 2, now: instant(0)) == [], "an older ACK is ignored too")
    }

    @Test func ackBeyondTheWindowIsIgnored() {
        var transfer = windowedTransfer()
        _ = transfer.receivedAcknowledgement(block: 0, now: instant(0))
        #expect(transfer.receivedAcknowledgement(block: 5, now: instant(0)) == [])
        #expect(transfer.receivedAcknowledgement(block: 60_000, now: instant(0)) == [])
        #expect(transfer.receivedAcknowledgement(block: 4, now: instant(0)).blockNumbers == [5, 6, 7, 8])
    }

    @Test func sizeThatIsAMultipleOfBlockSizeEndsWithAnEmptyBlock() {
        var transfer = TFTPReadTransfer(request: octetRequest(), transferSize: 1024, interfaceMTU: nil)
        #expect(transfer.blockCount == 3)
        #expect(transfer.start(now: instant(0)).dataBlocks == [TFTPDataBlock(index: 1, offset: 0, length: 512)])
        #expect(
            transfer.receivedAcknowledgement(block: 1, now: instant(0)).dataBlocks
                == [TFTPDataBlock(index: 2, offset: 512, length: 512)])
        #expect(
            transfer.receivedAcknowledgement(block: 2, now: instant(0)).dataBlocks
                == [TFTPDataBlock(index: 3, offset: 1024, length: 0)])
        #expect(
            transfer.receivedAcknowledgement(block: 3, now: instant(0)).finish?.outcome
                == .completed(finalAcknowledgementReceived: true))
    }

    @Test func emptyFileIsOneEmptyBlock() {
        var transfer = TFTPReadTransfer(request: octetRequest(), transferSize: 0, interfaceMTU: nil)
        #expect(transfer.start(now: instant(0)).dataBlocks == [TFTPDataBlock(index: 1, offset: 0, length: 0)])
        #expect(transfer.receivedAcknowledgement(block: 1, now: instant(0)).finish?.statistics.bytesAcknowledged == 0)
    }

    @Test func windowIsTruncatedAtTheFinalBlock() {
        var transfer = TFTPReadTransfer(
            request: octetRequest([("windowsize", "8")]), transferSize: 700, interfaceMTU: nil)
        _ = transfer.start(now: instant(0))
        #expect(
            transfer.receivedAcknowledgement(block: 0, now: instant(0)).dataBlocks == [
                TFTPDataBlock(index: 1, offset: 0, length: 512), TFTPDataBlock(index: 2, offset: 512, length: 188),
            ])
    }

    @Test func sourceReadFailureSendsErrorAndFails() {
        var transfer = TFTPReadTransfer(request: octetRequest(), transferSize: 700, interfaceMTU: nil)
        _ = transfer.start(now: instant(0))
        let actions = transfer.sourceReadFailed(reason: "EIO", now: instant(0))
        #expect(actions.first == .sendError(.undefined, message: "Read error"))
        #expect(actions.finish?.outcome == .failed(.sourceReadFailed(reason: "EIO")))
    }
}
