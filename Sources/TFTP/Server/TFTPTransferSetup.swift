import Logging
import NIOCore

/// Everything a pump needs to run one transfer, handed over from the request port's event loop: the transfer's
/// bound socket (its TID), the negotiated machine, the file, and the bookkeeping to do when it ends.
struct TFTPTransferSetup: Sendable {
    /// A UDP socket bound to the RRQ's destination address and a fresh port; the pump owns and closes it.
    let descriptor: CInt
    let transfer: TFTPReadTransfer
    let source: any TFTPFileSource & Sendable
    let client: SocketAddress
    let logger: Logger
    /// The journal `MESSAGE_ID` of a completed transfer: boot config served, or transfer completed.
    let completionMessageID: String
    /// Counts a datagram that did not decode (the server's counter).
    let countMalformedDatagram: @Sendable () -> Void
    /// Runs once when the transfer is over and its socket closed (frees its slot in `TFTPActiveTransfers`).
    let finished: @Sendable () -> Void
}
