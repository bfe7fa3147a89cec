import NIOCore

/// Figures about one finished transfer, carried in its `.finish` action for the log line and metrics.
public struct TFTPTransferStatistics: Hashable, Sendable {
    /// Size of the whole stream (netascii: after conversion); nil when a stream of unknown length ended before its
    /// end was read.
    public var transferSize: UInt64?
    /// Payload bytes the client acknowledged.
    public var bytesAcknowledged: UInt64
    /// Blocks the client acknowledged.
    public var blocksAcknowledged: UInt64
    /// DATA packets sent, retransmissions included.
    public var dataPacketsSent: UInt64
    /// DATA and OACK packets sent more than once.
    public var retransmittedPackets: UInt64
    public var blockSize: Int
    public var windowSize: Int
    /// From `start(now:)` to the event that finished the transfer.
    public var duration: TimeAmount

    public init(
        transferSize: UInt64?, bytesAcknowledged: UInt64, blocksAcknowledged: UInt64, dataPacketsSent: UInt64,
        retransmittedPackets: UInt64, blockSize: Int, windowSize: Int, duration: TimeAmount
    ) {
        self.transferSize = transferSize
        self.bytesAcknowledged = bytesAcknowledged
        self.blocksAcknowledged = blocksAcknowledged
        self.dataPacketsSent = dataPacketsSent
        self.retransmittedPackets = retransmittedPackets
        self.blockSize = blockSize
        self.windowSize = windowSize
        self.duration = duration
    }
}
