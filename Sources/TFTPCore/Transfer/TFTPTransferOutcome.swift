import NIOCore

/// How a read transfer ended. Only `.failed` is an error worth a warning in the log; the rest are normal ends.
public enum TFTPTransferOutcome: Hashable, Sendable {
    /// Every block was sent. `finalAcknowledgementReceived` is false when the client never acknowledged the last window
    /// even after retransmissions: some clients never send it (docs/protocol.md, "End of transfer and the final ACK").
    case completed(finalAcknowledgementReceived: Bool)
    /// The client answered the OACK with ERROR 8. UEFI does this on purpose after a tsize probe and then asks
    /// again (docs/protocol.md, "Option negotiation (RFC 2347)"): log as info, not as an error.
    case clientDeclinedOptions(message: String)
    /// The client sent an ERROR and stopped (RFC 1350 §7).
    case abandonedByClient(code: TFTPErrorCode, message: String)
    /// The client's address answered a packet with ICMP unreachable (`ECONNREFUSED` on the connected socket): the
    /// client went away, typically a machine reset in the middle of its boot.
    case clientWentAway
    /// The server gave up.
    case failed(TFTPTransferFailure)
}

/// Why the server gave up a read transfer.
public enum TFTPTransferFailure: Hashable, Sendable {
    /// `maximumRetransmissions` consecutive timeouts while blocks other than the final window were unacknowledged.
    /// Carries the first unacknowledged block index (0 while the OACK was unacknowledged).
    case retransmissionsExhausted(firstUnacknowledgedBlock: UInt64)
    /// No block was acknowledged for longer than `noProgressTimeout`.
    case noProgress(for: TimeAmount)
    /// The adapter could not read the file's bytes (it was truncated or an I/O error occurred).
    case sourceReadFailed(reason: String)
    /// The request asked for something this server never does (mail mode).
    case refusedRequest(reason: String)
}

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
