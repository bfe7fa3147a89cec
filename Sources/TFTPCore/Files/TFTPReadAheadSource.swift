import NIOCore

/// Reads its base source ahead, `chunkSize` bytes at a time, so that a lock-step transfer makes one `pread` per
/// chunk instead of one per block: with 1468-byte blocks and 32 KiB chunks, one in 22. In a boot storm every block
/// is a round trip of a few syscalls, and a `pread` per block was a visible share of the server's CPU
/// (docs/tftp-io.md). DATA leaves straight from the chunk (`withContiguousBytes`), without a copy into a send
/// buffer. Larger chunks save preads but were slower in a boot storm: a chunk's bytes wait longer between the pread
/// and their send, and more of them have left the CPU cache by then (bench/HISTORY.md, "Read-ahead").
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
    /// Whether the chunk holds the end of a stream of unknown length (it came back shorter than asked for).
    private var chunkEndsStream = false

    public init(_ base: any TFTPFileSource, chunkSize: Int = TFTPReadAheadSource.defaultChunkSize) {
        self.base = base
        self.chunkSize = max(chunkSize, 1)
        chunk = ByteBuffer()
    }

    public var knownByteCount: UInt64? { base.knownByteCount }

    public mutating func read(at offset: UInt64, length: Int, into buffer: inout ByteBuffer) throws {
        try withContiguousBytes(at: offset, length: length) { _ = buffer.writeBytes($0) }
    }

    /// Calls `body` with the stream's bytes `[offset, offset + length)`, fewer where a stream of unknown length
    /// ends, reading a chunk from `offset` first unless the current one holds them all. The pointer is valid only
    /// inside `body`; ranges up to `chunkSize` never grow the chunk.
    public mutating func withContiguousBytes<Result>(
        at offset: UInt64, length: Int, _ body: (UnsafeRawBufferPointer) throws -> Result
    ) throws -> Result {
        guard length > 0 else { return try body(UnsafeRawBufferPointer(start: nil, count: 0)) }
        let chunkEnd = chunkStart + UInt64(chunk.readableBytes)
        let held =
            offset >= chunkStart && (offset + UInt64(length) <= chunkEnd || (chunkEndsStream && offset <= chunkEnd))
        if !held { try refill(at: offset, atLeast: length) }
        let start = Int(offset - chunkStart)
        let count = min(length, chunk.readableBytes - start)
        return try chunk.withUnsafeReadableBytes { bytes in
            try body(UnsafeRawBufferPointer(rebasing: bytes[start..<start + count]))
        }
    }

    /// Reads a chunk from `offset` (never past a known end, never less than `length` unless the stream ends); a
    /// failed read leaves no chunk, so nothing stale is served after it.
    private mutating func refill(at offset: UInt64, atLeast length: Int) throws {
        var wanted = max(chunkSize, length)
        if let byteCount = base.knownByteCount {
            wanted = max(Int(min(UInt64(chunkSize), byteCount > offset ? byteCount - offset : 0)), length)
        }
        chunk.clear(minimumCapacity: wanted)
        chunkStart = offset
        do {
            try base.read(at: offset, length: wanted, into: &chunk)
        } catch {
            chunk.clear()
            throw error
        }
        chunkEndsStream = chunk.readableBytes < wanted
    }
}
