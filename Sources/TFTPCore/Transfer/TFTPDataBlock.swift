/// One DATA packet the adapter must send: which bytes of the stream and under which 16-bit block number.
///
/// The machine names byte ranges rather than carrying bytes so it stays pure and never holds a file in memory;
/// the adapter reads each range from its `TFTPFileSource` (pread at `offset`).
public struct TFTPDataBlock: Hashable, Sendable {
    /// 1-based position of the block in the file, never wrapping (a 64-bit counter, docs/protocol.md, "Block-number
    /// rollover").
    public let index: UInt64
    /// Offset of the block's first byte in the transferred stream.
    public let offset: UInt64
    /// Payload length: blksize, except the final block which is shorter (possibly 0, RFC 1350 §6).
    public let length: Int

    public init(index: UInt64, offset: UInt64, length: Int) {
        self.index = index
        self.offset = offset
        self.length = length
    }

    /// The number on the wire: the index modulo 2^16, so the block after 65535 is 0 (the de-facto rollover
    /// that tftp-hpa, dnsmasq, iPXE and EDK2 share).
    public var blockNumber: UInt16 { UInt16(truncatingIfNeeded: index) }
}
