import NIOCore

/// A file that already is bytes: a boot config rendered from the inventory (rendered before the OACK so tsize is
/// exact, docs/protocol.md, "tsize").
public struct TFTPInMemoryFile: TFTPSizedFileSource, Sendable {
    public let bytes: [UInt8]

    public init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    public var byteCount: UInt64 { UInt64(bytes.count) }

    /// Copies the range; reading past the end throws like a truncated file would.
    public func read(at offset: UInt64, length: Int, into buffer: inout ByteBuffer) throws {
        guard offset <= UInt64(bytes.count), UInt64(length) <= UInt64(bytes.count) - offset else {
            let available = offset <= UInt64(bytes.count) ? bytes.count - Int(offset) : 0
            throw TFTPFileReadError.shortRead(offset: offset, requested: length, available: available)
        }
        let start = Int(offset)
        buffer.writeBytes(bytes[start..<start + length])
    }
}
