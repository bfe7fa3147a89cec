import NIOCore

@testable import TFTPCore

/// A file of any size whose bytes are computed from their offset, so tests can stream gigabytes without
/// allocating them.
struct SyntheticFileSource: TFTPSizedFileSource {
    let byteCount: UInt64

    static func byte(at offset: UInt64) -> UInt8 {
        UInt8(truncatingIfNeeded: offset &* 31 &+ offset >> 9)
    }

    func read(at offset: UInt64, length: Int, into buffer: inout ByteBuffer) throws {
        guard offset + UInt64(length) <= byteCount else {
            throw TFTPFileReadError.shortRead(offset: offset, requested: length, available: 0)
        }
        for position in offset..<offset + UInt64(length) { buffer.writeInteger(Self.byte(at: position)) }
    }
}
