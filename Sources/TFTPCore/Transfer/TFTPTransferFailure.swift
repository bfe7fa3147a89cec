import NIOCore

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
