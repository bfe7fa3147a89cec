import NIOCore

/// Reads its base source ahead, `chunkSize` bytes at a time, so that a lock-step transfer makes one `pread` per
/// chunk instead of one per block: with 1468-byte blocks and 32 KiB chunks, one in 22. In a boot storm every block
/// is a round trip of a few syscalls, and the per-block `pread` was about a tenth of the server's CPU
/// (docs/tftp-io.md).
///
/// Bytes served were read from the file at most one chunk earlier; a file truncated during its transfer still ends
/// it with a short read once the transfer reaches the missing part. Retransmissions that go back before the chunk
/// just read it again.
public struct TFTPReadAheadSource: TFTPFileSource {
    public static let defaultChunkSize = 32 * 1024

    private var base: any TFTPFileSource
    private let chunkSize: Int
    /// The bytes `[chunkStart, chunkStart + chunk.readableBytes)` of the stream.
    private var chunk: ByteBuffer
    private var chunkStart: UInt64 = 0

    public init(_ base: any TFTPFileSource, chunkSize: Int = TFTPReadAheadSource.defaultChunkSize) {
        self.base = base
        self.chunkSize = max(chunkSize, 1)
        chunk = ByteBuffer()
    }

    public var byteCount: UInt64 { base.byteCount }

    public mutating func read(at offset: UInt64, length: Int, into buffer: inout ByteBuffer) throws {
        guard length > 0 else { return }
        let chunkEnd = chunkStart + UInt64(chunk.readableBytes)
        if offset < chunkStart || offset + UInt64(length) > chunkEnd {
            try refill(at: offset, atLeast: length)
        }
        guard let bytes = chunk.getSlice(at: chunk.readerIndex + Int(offset - chunkStart), length: length) else {
            throw TFTPFileReadError.shortRead(offset: offset, requested: length, available: 0)  // refill guarantees it
        }
        buffer.writeImmutableBuffer(bytes)
    }

    /// Reads a chunk from `offset` (never past the end, never less than `length`); a failed read leaves no chunk,
    /// so nothing stale is served after it.
    private mutating func refill(at offset: UInt64, atLeast length: Int) throws {
        let remaining = byteCount > offset ? byteCount - offset : 0
        let wanted = max(Int(min(UInt64(chunkSize), remaining)), length)
        chunk.clear(minimumCapacity: wanted)
        chunkStart = offset
        do {
            try base.read(at: offset, length: wanted, into: &chunk)
        } catch {
            chunk.clear()
            throw error
        }
    }
}
