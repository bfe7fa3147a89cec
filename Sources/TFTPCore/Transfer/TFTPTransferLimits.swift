import NIOCore

/// Operator limits on what a client may negotiate and how long a transfer may stall.
///
/// The defaults follow the anchors (docs/protocol.md, "windowsize (RFC 7440)" and "timeout and retransmission"):
/// dnsmasq's window cap of 32 and 120 s stall cap, tftp-hpa 6's 4 MiB bytes-in-flight cap, and a 1 s initial
/// retransmission timeout.
public struct TFTPTransferLimits: Hashable, Sendable {
    /// Largest blksize ever granted, below the RFC 2348 maximum: for tunnels and VLANs whose real MTU is
    /// smaller than the interface says (docs/protocol.md, "blksize and the MTU").
    public var blockSizeCeiling: Int
    /// Largest windowsize ever granted (RFC 7440 §2 lets the server answer with less).
    public var windowSizeCeiling: Int
    /// window × blksize is kept at or below this, so one client cannot have megabytes in flight.
    public var maximumBytesInFlight: Int
    /// Retransmission timeout when the client did not negotiate `timeout` (RFC 2349 §1).
    public var defaultRetransmitTimeout: TimeAmount
    /// Exponential back-off doubles the timeout after each retransmission up to this value.
    public var maximumRetransmitTimeout: TimeAmount
    /// Consecutive timeouts without progress after which the transfer is given up.
    public var maximumRetransmissions: Int
    /// A transfer that makes no progress (no new block acknowledged) for this long is given up, whatever the
    /// retransmission count says (dnsmasq uses 120 s).
    public var noProgressTimeout: TimeAmount

    public init(
        blockSizeCeiling: Int = TFTPPacket.maximumDataPayloadLength,
        windowSizeCeiling: Int = 32,
        maximumBytesInFlight: Int = 4 * 1024 * 1024,
        defaultRetransmitTimeout: TimeAmount = .seconds(1),
        maximumRetransmitTimeout: TimeAmount = .seconds(8),
        maximumRetransmissions: Int = 5,
        noProgressTimeout: TimeAmount = .seconds(120)
    ) {
        self.blockSizeCeiling = blockSizeCeiling
        self.windowSizeCeiling = windowSizeCeiling
        self.maximumBytesInFlight = maximumBytesInFlight
        self.defaultRetransmitTimeout = defaultRetransmitTimeout
        self.maximumRetransmitTimeout = maximumRetransmitTimeout
        self.maximumRetransmissions = maximumRetransmissions
        self.noProgressTimeout = noProgressTimeout
    }
}
