import NIOCore

@testable import TFTPCore

/// An injected clock: a fixed origin plus whole seconds. Tests never read a real clock.
func instant(_ seconds: Int64, milliseconds: Int64 = 0) -> NIODeadline {
    NIODeadline.uptimeNanoseconds(1_000_000_000_000) + .seconds(seconds) + .milliseconds(milliseconds)
}

func octetRequest(_ options: [(String, String)] = []) -> TFTPRequest {
    TFTPRequest(filename: "f", mode: .octet, options: options.map { TFTPOption(name: $0.0, value: $0.1) })
}

extension TFTPTransferActions {
    /// The DATA blocks of the (single) `.sendData` action, or `nil`.
    var dataBlocks: [TFTPDataBlock]? {
        for action in self { if case .sendData(let window) = action { return [TFTPDataBlock](window) } }
        return nil
    }

    var blockNumbers: [UInt16]? { dataBlocks?.map(\.blockNumber) }

    var timerDeadline: NIODeadline? {
        for action in self { if case .armTimer(let deadline) = action { return deadline } }
        return nil
    }

    var finish: (outcome: TFTPTransferOutcome, statistics: TFTPTransferStatistics)? {
        for action in self { if case .finish(let outcome, let statistics) = action { return (outcome, statistics) } }
        return nil
    }
}
