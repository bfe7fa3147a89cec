import NIOCore

/// A netascii view of another source: ranges are in the *encoded* stream (LF → CR LF, CR → CR NUL), read from
/// the underlying file in chunks so the file is never loaded whole.
///
/// The encoded size is found by one streaming scan at creation, because the transfer must know its block count;
/// tsize is still not offered in netascii (protocol notes A.15). Transfers read sequentially with window 1, so a few
/// checkpoints (encoded offset ↔ source offset, always on a source-byte boundary) make each block read start near
/// where it is needed; a CR pair split across two blocks is handled by re-encoding from the boundary before it.
public struct TFTPNetasciiFileSource<Base: TFTPFileSource>: TFTPFileSource {
    private struct Checkpoint: Hashable {
        var encoded: UInt64
        var source: UInt64
    }

    private var base: Base
    private var checkpoints: [Checkpoint] = [Checkpoint(encoded: 0, source: 0)]
    private let chunkSize: Int
    public let byteCount: UInt64

    /// Scans `base` once to size the encoded stream.
    public init(encoding base: Base, chunkSize: Int = 64 * 1024) throws {
        var base = base
        var encodedSize: UInt64 = 0
        var position: UInt64 = 0
        var chunk = ByteBuffer()
        while position < base.byteCount {
            let length = Int(min(UInt64(chunkSize), base.byteCount - position))
            chunk.clear()
            try base.read(at: position, length: length, into: &chunk)
            for byte in chunk.readableBytesView { encodedSize += UInt64(NetasciiEncoding.encodedWidth(of: byte)) }
            position += UInt64(length)
        }
        self.base = base
        self.chunkSize = chunkSize
        self.byteCount = encodedSize
    }

    /// Appends encoded bytes `offset..<offset + length`, re-encoding from the nearest checkpoint before `offset`.
    public mutating func read(at offset: UInt64, length: Int, into buffer: inout ByteBuffer) throws {
        guard length > 0 else { return }
        let end = offset + UInt64(length)
        guard end <= byteCount else {
            throw TFTPFileReadError.shortRead(
                offset: offset, requested: length, available: Int(byteCount - min(offset, byteCount)))
        }
        let start = checkpoints.last { $0.encoded <= offset } ?? Checkpoint(encoded: 0, source: 0)
        var encodedPosition = start.encoded
        var sourcePosition = start.source
        var boundaryAtEnd = start
        var chunk = ByteBuffer()
        var produced = 0
        reading: while produced < length {
            let chunkLength = Int(min(UInt64(chunkSize), base.byteCount - sourcePosition))
            guard chunkLength > 0 else {
                throw TFTPFileReadError.shortRead(offset: offset, requested: length, available: produced)
            }
            chunk.clear()
            try base.read(at: sourcePosition, length: chunkLength, into: &chunk)
            for byte in chunk.readableBytesView {
                let (first, second) = NetasciiEncoding.encode(byte)
                for output in [first, second] {
                    guard let output else { continue }
                    if encodedPosition >= offset && produced < length {
                        buffer.writeInteger(output)
                        produced += 1
                    }
                    encodedPosition += 1
                }
                sourcePosition += 1
                if encodedPosition <= end {
                    boundaryAtEnd = Checkpoint(encoded: encodedPosition, source: sourcePosition)
                }
                if produced == length { break reading }
            }
        }
        remember(boundaryAtEnd)
    }

    /// Keeps a handful of checkpoints, sorted, so retransmitting the current block and reading the next are cheap.
    private mutating func remember(_ checkpoint: Checkpoint) {
        guard !checkpoints.contains(checkpoint) else { return }
        checkpoints.append(checkpoint)
        checkpoints.sort { $0.encoded < $1.encoded }
        if checkpoints.count > 8 { checkpoints.remove(at: 1) }  // index 0 (start of file) always stays
    }
}

extension TFTPNetasciiFileSource: Sendable where Base: Sendable {}
