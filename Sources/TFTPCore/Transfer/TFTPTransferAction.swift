import NIOCore

/// What the adapter must do after feeding an event to `TFTPReadTransfer`, in the order given.
///
/// The cases a transfer meets once (OACK, ERROR, the end) are `indirect`: boxed, they keep the enum as small as a
/// DATA window, and the per-block actions (`.sendData`, `.armTimer`) copy as plain bytes.
public enum TFTPTransferAction: Hashable, Sendable {
    /// Send an OACK with these options (RFC 2347 §2).
    indirect case sendOptionAcknowledgement([TFTPOption])
    /// Read each block's byte range from the file source and send it as DATA, in order, in one flush (RFC 7440).
    case sendData(TFTPDataWindow)
    /// Send ERROR to the transfer's client; a `.finish` follows.
    indirect case sendError(TFTPErrorCode, message: String)
    /// Send ERROR to the *stray* peer whose packet arrived with a wrong TID, not to the client; the transfer
    /// continues (RFC 1350 §4).
    indirect case replyToStrayPeer(TFTPErrorCode, message: String)
    /// (Re)arm the single retransmission timer for this deadline, replacing any armed one, and call
    /// `timerFired(now:)` when it expires.
    case armTimer(deadline: NIODeadline)
    /// The transfer is over: cancel the timer, close the transfer's socket, log the outcome.
    indirect case finish(TFTPTransferOutcome, TFTPTransferStatistics)
}
