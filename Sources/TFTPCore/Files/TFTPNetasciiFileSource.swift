import NIOCore

/// A netascii view of another source (LF → CR LF, CR → CR NUL), converted as it is read: ranges are in the
/// *encoded* stream, and its length is learned only when a read reaches the end of the file, so opening it costs
/// nothing and no request waits for a whole file to be scanned (docs/tftp-io.md, "netascii").
///
/// A transfer reads forwards, a chunk at a time, and goes back only as far as its first unacknowledged block. Each
/// read leaves a checkpoint where it stopped (encoded offset ↔ source offset, always on a source-byte boundary), so
/// the next read, or a retransmission inside the last chunk, re-encodes at most one chunk. A CR LF pair split
/// across two blocks is handled by starting from the checkpoint before the pair and skipping its first byte.
public struct TFTPNetasciiFileSource<Base: TFTPSizedFileSource>: TFTPFileSource {
    private struct Checkpoint: Hashable {
        var encoded: UInt64
        var source: UInt64
    }

    private var base: Base
    /// The most recent read ends, sorted by position; the oldest are dropped first.
    private var checkpoints: [Checkpoint] = []
    private let chunkSize: Int
    private var scratch = ByteBuffer()

    public init(encoding base: Base, chunkSize: Int = 64 * 1024) {
        self.base = base
        self.chunkSize = max(chunkSize, 1)
    }

    /// Unknown until the stream has been read to its end.
    public var knownByteCount: UInt64? { nil }

    /// Appends encoded bytes `offset..<offset + length`, fewer where the stream ends, re-encoding from the nearest
    /// checkpoint before `offset`.
    public mutating func read(at offset: UInt64, length: Int, into buffer: inout ByteBuffer) throws {
        guard length > 0 else { return }
        let end = offset + UInt64(length)
        let start = checkpoints.last { $0.encoded <= offset } ?? Checkpoint(encoded: 0, source: 0)
        var encodedPosition = start.encoded
        var sourcePosition = start.source
        var boundaryAtEnd = start
        buffer.reserveCapacity(minimumWritableBytes: length)
        reading: while encodedPosition < end && sourcePosition < base.byteCount {
            // Each source byte encodes to at least one byte: never read more than the range still needs.
            let chunkLength = Int(min(UInt64(chunkSize), base.byteCount - sourcePosition, end - encodedPosition))
            scratch.clear()
            try base.read(at: sourcePosition, length: chunkLength, into: &scratch)
            for byte in scratch.readableBytesView {
                let width = UInt64(NetasciiEncoding.encodedWidth(of: byte))
                if encodedPosition + width <= offset {
                    encodedPosition += width  // before the range: skip without writing
                } else {
                    let (first, second) = NetasciiEncoding.encode(byte)
                    if encodedPosition >= offset { buffer.writeInteger(first) }
                    if let second, encodedPosition + 1 < end { buffer.writeInteger(second) }
                    encodedPosition += width
                }
                sourcePosition += 1
                if encodedPosition <= end {
                    boundaryAtEnd = Checkpoint(encoded: encodedPosition, source: sourcePosition)
                }
                if encodedPosition >= end { break reading }
            }
        }
        remember(boundaryAtEnd)
    }

    /// Keeps the last few read ends, so retransmitting inside the current chunk and reading the next are cheap.
    private mutating func remember(_ checkpoint: Checkpoint) {
        guard checkpoint.encoded > 0, !checkpoints.contains(checkpoint) else { return }
        checkpoints.append(checkpoint)
        checkpoints.sort { $0.encoded < $1.encoded }
        if checkpoints.count > 8 { checkpoints.removeFirst() }
    }
}

extension TFTPNetasciiFileSource: Sendable where Base: Sendable {}
