import NIOCore

/// What the transfers of one pump share on its thread: the receive buffer, the buffer a window of DATA is read
/// into, the deadline heap, and counters. Reusing the buffers keeps a block's path free of heap allocations.
final class TFTPTransferPumpScratch {
    /// Large enough for any UDP datagram, so a datagram is never truncated before the codec sees it.
    static let receiveCapacity = 65536

    let receiveBuffer = UnsafeMutableRawPointer.allocate(byteCount: receiveCapacity, alignment: 16)
    /// DATA packets of one window, back to back; `datagramLengths` says where each ends.
    var sendBuffer = ByteBuffer()
    var datagramLengths: [Int] = []
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
