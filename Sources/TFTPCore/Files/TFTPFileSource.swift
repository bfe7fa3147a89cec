import NIOCore

/// The bytes of one transfer's stream, read by byte range: what the adapter uses to fill the DATA blocks that
/// `TFTPReadTransfer` asks for. Reading by range lets big files stream with pread instead of being loaded whole.
///
/// Implementations: `TFTPInMemoryFile` (inventory-rendered configs) and `TFTPOpenedFile` (files under the root),
/// both of known size, and `TFTPNetasciiFileSource` (netascii conversion over either), whose length is learned by
/// converting it as it is sent.
public protocol TFTPFileSource {
    /// Bytes in the stream when known before it is read: a transfer's tsize and its block count come from it. Nil
    /// for a stream whose end is found only by reading up to it.
    var knownByteCount: UInt64? { get }
    /// Appends `length` bytes starting at `offset` to `buffer`. Fewer only where a stream of unknown length ends
    /// (none at all past its end); a source of known size that cannot deliver them throws
    /// (`TFTPFileReadError.shortRead`: the file shrank).
    mutating func read(at offset: UInt64, length: Int, into buffer: inout ByteBuffer) throws
}

/// A source whose size is known when it is opened (fstat, or the bytes themselves).
public protocol TFTPSizedFileSource: TFTPFileSource {
    var byteCount: UInt64 { get }
}

extension TFTPSizedFileSource {
    public var knownByteCount: UInt64? { byteCount }
}
