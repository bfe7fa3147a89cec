import NIOCore
import Testing

@testable import TFTPCore

/// A stream whose length is learned as it is sent (netascii), and a client that goes away: the machine's rules for
/// ends that the adapter discovers.
struct TFTPReadTransferStreamEndTests {
    /// Windowsize 4 and blksize 512 over a stream of unknown length (the machine itself only ever sees lock-step
    /// netascii, but its rules hold for windows too).
    private func unknownLengthTransfer() -> TFTPReadTransfer {
        var transfer = TFTPReadTransfer(
            request: octetRequest([("blksize", "512"), ("windowsize", "4")]), transferSize: nil, interfaceMTU: 1500)
        _ = transfer.start(now: instant(0))
        return transfer
    }

    @Test func withoutAKnownLengthNoTransferSizeIsOffered() {
        var transfer = TFTPReadTransfer(
            request: octetRequest([("tsize", "0"), ("blksize", "512")]), transferSize: nil, interfaceMTU: 1500)
        #expect(
            transfer.start(now: instant(0)).first == .sendOptionAcknowledgement([.init(name: "blksize", value: "512")]))
        #expect(transfer.blockCount == nil)
    }

    @Test func windowsAreFullBlocksUntilTheEndIsReported() {
        var transfer = unknownLengthTransfer()
        let window = transfer.receivedAcknowledgement(block: 0, now: instant(0))
        #expect(window.dataBlocks?.map(\.length) == [512, 512, 512, 512])
        // The adapter found the end inside block 3: 2 full blocks and 100 bytes. Blocks 3 and 4 were never sent.
        transfer.reachedEndOfStream(size: 2 * 512 + 100)
        #expect(transfer.blockCount == 3)
        #expect(transfer.transferSize == 1124)
        let end = transfer.receivedAcknowledgement(block: 3, now: instant(2))
        #expect(end.finish?.outcome == .completed(finalAcknowledgementReceived: true))
        #expect(end.finish?.statistics.bytesAcknowledged == 1124)
        #expect(end.finish?.statistics.dataPacketsSent == 3, "block 4 was cut from the window, not sent")
    }

    @Test func aRetransmissionAfterTheEndStopsAtTheFinalBlock() {
        var transfer = unknownLengthTransfer()
        _ = transfer.receivedAcknowledgement(block: 0, now: instant(0))
        transfer.reachedEndOfStream(size: 2 * 512)  // an exact multiple: block 3 is the empty final block
        let again = transfer.timerFired(now: instant(10))
        #expect(
            again.dataBlocks == [
                TFTPDataBlock(index: 1, offset: 0, length: 512), TFTPDataBlock(index: 2, offset: 512, length: 512),
                TFTPDataBlock(index: 3, offset: 1024, length: 0),
            ])
    }

    @Test func anEndBeforeAcknowledgedBlocksIsIgnored() {
        var transfer = unknownLengthTransfer()
        _ = transfer.receivedAcknowledgement(block: 0, now: instant(0))
        _ = transfer.receivedAcknowledgement(block: 4, now: instant(0))
        transfer.reachedEndOfStream(size: 100)  // contradicts four acknowledged full blocks
        #expect(transfer.blockCount == nil)
    }

    @Test func aClientThatWentAwayEndsTheTransferAtOnce() {
        var transfer = unknownLengthTransfer()
        _ = transfer.receivedAcknowledgement(block: 0, now: instant(0))
        let end = transfer.clientUnreachable(now: instant(1))
        #expect(end.finish?.outcome == .clientWentAway)
        #expect(transfer.isFinished)
        #expect(transfer.timerFired(now: instant(30)) == [], "nothing is retransmitted afterwards")
        #expect(transfer.clientUnreachable(now: instant(31)) == [])
    }

    /// A client that took the last block and left before its final ACK arrived completed its transfer: its port
    /// answering unreachable after that is not a failure.
    @Test func aClientGoneAfterTheLastBlockCompleted() {
        var transfer = TFTPReadTransfer(request: octetRequest(), transferSize: 700, interfaceMTU: nil)
        _ = transfer.start(now: instant(0))
        _ = transfer.receivedAcknowledgement(block: 1, now: instant(0))  // block 2, the last, has gone out
        let end = transfer.clientUnreachable(now: instant(1))
        #expect(end.finish?.outcome == .completed(finalAcknowledgementReceived: false))
    }
}
