import Testing

@testable import TFTPCore

/// The blocks a window names: consecutive byte ranges, the final one short or empty (RFC 1350 §6).
struct TFTPDataWindowTests {
    @Test func blocksAreConsecutiveRangesOfTheStream() {
        let window = TFTPDataWindow(firstIndex: 3, count: 3, blockSize: 512, transferSize: 10_000)
        #expect(
            Array(window) == [
                TFTPDataBlock(index: 3, offset: 1024, length: 512),
                TFTPDataBlock(index: 4, offset: 1536, length: 512),
                TFTPDataBlock(index: 5, offset: 2048, length: 512),
            ])
        #expect(window.byteOffset == 1024)
        #expect(window.byteCount == 1536)
    }

    @Test func theFinalBlockHoldsWhatIsLeft() {
        let window = TFTPDataWindow(firstIndex: 19, count: 2, blockSize: 512, transferSize: 10_000)
        #expect(Array(window).map(\.length) == [512, 272])
        #expect(window.byteCount == 784)
    }

    @Test func aStreamOfWholeBlocksEndsWithAnEmptyBlock() {
        let window = TFTPDataWindow(firstIndex: 2, count: 2, blockSize: 512, transferSize: 1024)
        #expect(Array(window).map(\.length) == [512, 0])
        #expect(window.byteCount == 512)
    }

    @Test func blockNumbersWrapPast65535() {
        let window = TFTPDataWindow(firstIndex: 65_535, count: 3, blockSize: 8, transferSize: 1 << 20)
        #expect(window.map(\.blockNumber) == [65_535, 0, 1])
    }

    @Test func aPartOfTheWindowIsAWindowOfItsOwn() {
        let window = TFTPDataWindow(firstIndex: 1, count: 16, blockSize: 1468, transferSize: 100_000)
        let part = window.blocks(5..<9)
        #expect(Array(part) == Array(window[5..<9]))
        #expect(part.byteOffset == window[5].offset)
    }
}
