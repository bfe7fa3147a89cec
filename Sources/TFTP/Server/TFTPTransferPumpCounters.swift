import Synchronization

/// What a pump has done, readable from any thread: for tests that check how a window leaves.
final class TFTPTransferPumpCounters: Sendable {
    /// Send system calls (`sendto`, or one `sendmmsg` per window).
    let sendCalls = Atomic<Int>(0)
    /// Transfers running on the pump.
    let running = Atomic<Int>(0)
}
