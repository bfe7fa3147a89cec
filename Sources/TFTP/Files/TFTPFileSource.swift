import NIOCore

/// The bytes of one transfer's stream, read by byte range: what the adapter uses to fill the DATA blocks that
/// `TFTPReadTransfer` asks for. Reading by range lets big files stream with pread instead of being loaded whole.
///
/// Implementations: `TFTPInMemoryFile` (inventory-rendered configs), `TFTPOpenedFile` (files under the root),
/// `TFTPNetasciiFileSource` (netascii conversion over either).
public protocol TFTPFileSource {
    /// Bytes in the stream; a transfer's tsize and its block count come from this.
    var byteCount: UInt64 { get }
    /// Appends exactly `length` bytes starting at `offset` to `buffer`, or throws (`TFTPFileReadError`).
    mutating func read(at offset: UInt64, length: Int, into buffer: inout ByteBuffer) throws
}
