/// The DATA blocks one `.sendData` action asks for: `count` consecutive blocks from `firstIndex`, each `blockSize`
/// bytes except the stream's final block. A window is always a run like this (RFC 7440 §4: retransmission resends
/// from the first unacknowledged block), so it is described by four numbers instead of an array, and a lock-step
/// ACK costs no allocation for its blocks.
public struct TFTPDataWindow: RandomAccessCollection, Hashable, Sendable {
    /// 1-based index of the window's first block, never wrapping.
    public let firstIndex: UInt64
    public let count: Int
    /// The negotiated blksize.
    public let blockSize: Int
    /// Bytes in the whole stream: the final block holds what is left (possibly 0 bytes, RFC 1350 §6).
    public let transferSize: UInt64

    public init(firstIndex: UInt64, count: Int, blockSize: Int, transferSize: UInt64) {
        precondition(firstIndex >= 1 && count >= 0 && blockSize > 0, "a window starts at block 1 or later")
        self.firstIndex = firstIndex
        self.count = count
        self.blockSize = blockSize
        self.transferSize = transferSize
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }

    public subscript(position: Int) -> TFTPDataBlock {
        precondition(position >= 0 && position < count, "block \(position) is outside the window")
        let index = firstIndex + UInt64(position)
        let offset = (index - 1) * UInt64(blockSize)
        let left = transferSize > offset ? transferSize - offset : 0
        let length = Swift.min(UInt64(blockSize), left)
        return TFTPDataBlock(index: index, offset: offset, length: Int(length))
    }

    /// Offset of the window's first byte in the stream.
    public var byteOffset: UInt64 { (firstIndex - 1) * UInt64(blockSize) }

    /// Bytes of payload in the window, all blocks together (they are contiguous in the stream).
    public var byteCount: Int {
        guard let last else { return 0 }
        return Int(last.offset - byteOffset) + last.length
    }

    /// The blocks `range` of this window, as a window of their own.
    public func blocks(_ range: Range<Int>) -> TFTPDataWindow {
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "blocks outside the window")
        return TFTPDataWindow(
            firstIndex: firstIndex + UInt64(range.lowerBound), count: range.count, blockSize: blockSize,
            transferSize: transferSize)
    }

    /// This window cut at the final block of a stream found to be `size` bytes long (its length was unknown when
    /// the window was made): the blocks up to and including the final one, the final one short.
    public func ending(atStreamSize size: UInt64) -> TFTPDataWindow {
        precondition(size >= byteOffset, "the stream ends before the window")
        let finalIndex = size / UInt64(blockSize) + 1
        let count = Swift.min(count, Int(finalIndex - firstIndex + 1))
        return TFTPDataWindow(firstIndex: firstIndex, count: count, blockSize: blockSize, transferSize: size)
    }
}
