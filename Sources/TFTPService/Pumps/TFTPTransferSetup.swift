import Logging
import NIOCore
import TFTPCore

/// Everything a pump needs to run one transfer, handed over from the request port's event loop: the transfer's
/// sockets (its TID), the negotiated machine, the file, and the bookkeeping to do when it ends.
struct TFTPTransferSetup: Sendable {
    /// The connected transfer socket and its stray companion (`TFTPTransferSockets`); the pump owns and closes them.
    let sockets: TFTPTransferSockets
    let transfer: TFTPReadTransfer
    let source: any TFTPFileSource & Sendable
    let client: SocketAddress
    let logger: Logger
    /// The journal `MESSAGE_ID` of a completed transfer: boot config served, or transfer completed.
    let completionMessageID: String
    /// Counts a datagram that did not decode (the server's counter).
    let countMalformedDatagram: @Sendable () -> Void
    /// Runs once when the whole file reached the client (the lifecycle's "last boot file").
    var completed: @Sendable () -> Void = {}
    /// Runs once when the transfer is over and its socket closed (frees its slot in `TFTPActiveTransfers`).
    let finished: @Sendable () -> Void
    /// The server's counters; nil in tests that run a pump alone.
    var metrics: TFTPMetrics? = nil
}
