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

/// The actions one event of `TFTPReadTransfer` returns, in order: none, one, or two (a packet, then the timer or
/// the end).
///
/// A value with two inline slots rather than an array: a lock-step transfer feeds the machine one ACK per block and
/// gets `[.sendData, .armTimer]` back each time, and an array would cost a heap allocation and its release per
/// block, on the path a boot storm runs for every block of every transfer (bench/HISTORY.md, "State machine
/// actions").
public struct TFTPTransferActions: RandomAccessCollection, Hashable, Sendable, ExpressibleByArrayLiteral {
    /// The first and second action, read directly by the adapter: no iterator on the per-block path.
    public let leading: TFTPTransferAction?
    public let trailing: TFTPTransferAction?

    /// No action: the event changed nothing the adapter must act on.
    public init() {
        leading = nil
        trailing = nil
    }

    public init(_ action: TFTPTransferAction) {
        leading = action
        trailing = nil
    }

    public init(_ action: TFTPTransferAction, then next: TFTPTransferAction) {
        leading = action
        trailing = next
    }

    /// For tests and readability (`== []`, `== [.sendData(w), .armTimer(deadline: d)]`); at most two actions.
    public init(arrayLiteral actions: TFTPTransferAction...) {
        precondition(actions.count <= 2, "an event yields at most two actions")
        leading = actions.first
        trailing = actions.count == 2 ? actions[1] : nil
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { leading == nil ? 0 : trailing == nil ? 1 : 2 }

    public subscript(position: Int) -> TFTPTransferAction {
        guard let action = position == 0 ? leading : position == 1 ? trailing : nil else {
            preconditionFailure("action \(position) is outside the \(count) returned")
        }
        return action
    }
}
