import NIOCore
import TFTPCore

/// What the transfers of one pump share on its thread: the receive buffer, the buffer OACK and ERROR packets are
/// written into, the deadline heap, and counters. Reusing the buffers keeps a packet's path free of heap
/// allocations.
final class TFTPTransferPumpScratch {
    /// Large enough for any UDP datagram, so a datagram is never truncated before the codec sees it.
    static let receiveCapacity = 65536

    let receiveBuffer = UnsafeMutableRawPointer.allocate(byteCount: receiveCapacity, alignment: 16)
    /// One OACK or ERROR packet (DATA leaves from the transfer's read-ahead chunk).
    var sendBuffer = ByteBuffer()
    var deadlines = TFTPDeadlineHeap()
    /// Shared with the pump's other threads (tests read them).
    let counters: TFTPTransferPumpCounters

    init(counters: TFTPTransferPumpCounters) {
        self.counters = counters
    }

    deinit {
        receiveBuffer.deallocate()
    }
}
