import NIOCore
import Testing

@testable import TFTPCore

/// Files beyond 65535 blocks: block numbers wrap to 0 while the index keeps counting (docs/protocol.md, "Block-number
/// rollover").
struct TFTPReadTransferRolloverTests {
    /// A client that acknowledges the last block of each window, checking every payload against the synthetic
    /// source's pattern as a real client would see it.
    @Test func seventyThousandBlocksAt512RollOverAndComplete() throws {
        let blockCount: UInt64 = 70_000
        let size = (blockCount - 1) * 512 + 17
        let source = SyntheticFileSource(byteCount: size)
        var transfer = TFTPReadTransfer(
            request: octetRequest([("blksize", "512"), ("windowsize", "32"), ("tsize", "0")]), transferSize: size,
            interfaceMTU: 1500)
        _ = transfer.start(now: instant(0))
        var actions = transfer.receivedAcknowledgement(block: 0, now: instant(0))
        var expectedIndex: UInt64 = 1
        var sawWrapFrom65535To0 = false
        var previousNumber: UInt16?
        while actions.finish == nil {
            let blocks = try #require(actions.dataBlocks)
            for block in blocks {
                #expect(block.index == expectedIndex)
                if previousNumber == 65535 && block.blockNumber == 0 { sawWrapFrom65535To0 = true }
                previousNumber = block.blockNumber
                expectedIndex += 1
            }
            if blocks.first!.index == 65_537 {
                var payload = ByteBuffer()
                try source.read(at: blocks.first!.offset, length: blocks.first!.length, into: &payload)
                #expect(payload.readableBytesView.first == SyntheticFileSource.byte(at: 65_536 * 512))
                #expect(blocks.first!.blockNumber == 1)
            }
            actions = transfer.receivedAcknowledgement(block: blocks.last!.blockNumber, now: instant(1))
        }
        #expect(sawWrapFrom65535To0)
        #expect(expectedIndex == blockCount + 1)
        #expect(actions.finish?.outcome == .completed(finalAcknowledgementReceived: true))
        #expect(actions.finish?.statistics.blocksAcknowledged == blockCount)
        #expect(actions.finish?.statistics.bytesAcknowledged == size)
    }

    @Test func gapAndTimeoutAcrossTheWrapUseTheRightIndex() {
        var transfer = TFTPReadTransfer(
            request: octetRequest([("windowsize", "4")]), transferSize: 70_000 * 512, interfaceMTU: nil)
        _ = transfer.start(now: instant(0))
        var actions = transfer.receivedAcknowledgement(block: 0, now: instant(0))
        while actions.dataBlocks!.last!.index < 65_532 {
            actions = transfer.receivedAcknowledgement(block: actions.dataBlocks!.last!.blockNumber, now: instant(0))
        }
        #expect(actions.blockNumbers == [65_529, 65_530, 65_531, 65_532])
        actions = transfer.receivedAcknowledgement(block: 65_532, now: instant(0))
        #expect(actions.blockNumbers == [65_533, 65_534, 65_535, 0])
        // Client saw up to 65535 and missed 0.
        actions = transfer.receivedAcknowledgement(block: 65_535, now: instant(0))
        #expect(actions.dataBlocks!.map(\.index) == [65_536, 65_537, 65_538, 65_539])
        #expect(actions.blockNumbers == [0, 1, 2, 3])
        #expect(transfer.receivedAcknowledgement(block: 65_535, now: instant(0)) == [], "duplicate across the wrap")
        #expect(transfer.timerFired(now: instant(1)).dataBlocks!.first!.offset == 65_535 * 512)
        #expect(transfer.receivedAcknowledgement(block: 1, now: instant(1)).blockNumbers == [2, 3, 4, 5])
    }
}
