import NIOCore

/// Reads its base source ahead, `chunkSize` bytes at a time, so that a lock-step transfer makes one `pread` per
/// chunk instead of one per block: with 1468-byte blocks and 32 KiB chunks, one in 22. In a boot storm every block
/// is a round trip of a few syscalls, and the per-block `pread` was about a tenth of the server's CPU
/// (docs/tftp-io.md). DATA leaves straight from the chunk (`withContiguousBytes`), without a copy into a send
/// buffer. Larger chunks save preads but measured slower in a 500-client storm: a chunk's bytes wait longer
/// between the pread and their send, and more of them have left the CPU cache by then.
///
/// Bytes served were read from the file at most one chunk earlier; a file truncated during its transfer still ends
/// it with a short read once the transfer reaches the missing part. Retransmissions that go back before the chunk
/// just read it again.
public struct TFTPReadAheadSource: TFTPFileSource {
    public static let defaultChunkSize = 32 * 1024

    private var base: any TFTPFileSource
    /// Bytes read per `pread`; also the most `withContiguousBytes` can hand out without growing the chunk.
    public let chunkSize: Int
    /// The bytes `[chunkStart, chunkStart + chunk.readableBytes)` of the stream.
    private var chunk: ByteBuffer
    private var chunkStart: UInt64 = 0
    /// Where the chunk's readable bytes start. Kept here because in a boot storm every transfer's chunk storage
    /// has gone cold by its next block, and looking its address up in the storage cost a cache miss per block;
    /// the storage does not move until the next refill, which sets this again.
    private var chunkBytes: UnsafeRawPointer?

    public init(_ base: any TFTPFileSource, chunkSize: Int = TFTPReadAheadSource.defaultChunkSize) {
        self.base = base
        self.chunkSize = max(chunkSize, 1)
        chunk = ByteBuffer()
    }

    public var byteCount: UInt64 { base.byteCount }

    public mutating func read(at offset: UInt64, length: Int, into buffer: inout ByteBuffer) throws {
        try withContiguousBytes(at: offset, length: length) { _ = buffer.writeBytes($0) }
    }

    /// Calls `body` with the stream's bytes `[offset, offset + length)`, reading a chunk from `offset` first unless
    /// the current one holds them all. The pointer is valid only inside `body`; ranges up to `chunkSize` never grow
    /// the chunk.
    public mutating func withContiguousBytes<Result>(
        at offset: UInt64, length: Int, _ body: (UnsafeRawBufferPointer) throws -> Result
    ) throws -> Result {
        guard length > 0 else { return try body(UnsafeRawBufferPointer(start: nil, count: 0)) }
        let chunkEnd = chunkStart + UInt64(chunk.readableBytes)
        if offset < chunkStart || offset + UInt64(length) > chunkEnd {
            try refill(at: offset, atLeast: length)
        }
        // `self` (and so the chunk) is held for the whole call by `mutating`.
        return try body(UnsafeRawBufferPointer(start: chunkBytes! + Int(offset - chunkStart), count: length))
    }

    /// Reads a chunk from `offset` (never past the end, never less than `length`); a failed read leaves no chunk,
    /// so nothing stale is served after it.
    private mutating func refill(at offset: UInt64, atLeast length: Int) throws {
        let remaining = byteCount > offset ? byteCount - offset : 0
        let wanted = max(Int(min(UInt64(chunkSize), remaining)), length)
        chunk.clear(minimumCapacity: wanted)
        chunkStart = offset
        chunkBytes = nil
        do {
            try base.read(at: offset, length: wanted, into: &chunk)
        } catch {
            chunk.clear()
            throw error
        }
        chunkBytes = chunk.withUnsafeReadableBytes { $0.baseAddress }
    }
}
