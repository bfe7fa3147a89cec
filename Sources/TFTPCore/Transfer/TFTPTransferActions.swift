/// The actions one event of `TFTPReadTransfer` returns, in order: none, one, or two (a packet, then the timer or
/// the end).
///
/// A value with two inline slots rather than an array: a lock-step transfer feeds the machine one ACK per block and
/// gets `[.sendData, .armTimer]` back each time, and an array would cost a heap allocation and its release per
/// block, on the path a boot storm runs hundreds of thousands of times a second.
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
