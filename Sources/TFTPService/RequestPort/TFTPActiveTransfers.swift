import NIOCore
import Synchronization
import TFTPCore

/// The server's one `TFTPTransferTable`, shared by the request port and every transfer channel (which may run on
/// other event loops), behind a lock held only for a set operation.
final class TFTPActiveTransfers: Sendable {
    private let table: Mutex<TFTPTransferTable<SocketAddress>>
    private let malformed = Atomic<Int>(0)

    init(capacity: Int) {
        table = Mutex(TFTPTransferTable(capacity: capacity))
    }

    func admit(_ client: SocketAddress) -> TFTPTransferAdmission {
        table.withLock { $0.admit(client) }
    }

    func finish(_ client: SocketAddress) {
        table.withLock { $0.finish(client) }
    }

    /// Counts a datagram that did not decode (on the request port or a transfer's port): it was dropped.
    func countMalformedDatagram() {
        malformed.add(1, ordering: .relaxed)
    }

    /// Datagrams dropped because they did not decode, since the server started.
    var malformedDatagrams: Int { malformed.load(ordering: .relaxed) }

    /// A copy of the table, for counters and tests.
    var snapshot: TFTPTransferTable<SocketAddress> {
        table.withLock { $0 }
    }
}
