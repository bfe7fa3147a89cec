import Synchronization
import TFTPCore

/// What a pump has done, readable from any thread: for tests that check how a window leaves.
final class TFTPTransferPumpCounters: Sendable {
    /// Packets and runs of DATA handed to the kernel: one per OACK or ERROR, one per read-ahead chunk's worth of a
    /// window (usually the whole window), which may take several system calls when GSO's limits split it.
    let sendCalls = Atomic<Int>(0)
    /// UDP GSO sends (each of up to 64 datagrams and 65507 bytes).
    let segmentedSends = Atomic<Int>(0)
    /// Failed receives other than EAGAIN and a vanished client's ICMP error.
    let receiveErrors = Atomic<Int>(0)
    /// Transfers ended because the client's address answered with ICMP unreachable (it went away).
    let clientsGone = Atomic<Int>(0)
    /// Transfers running on the pump.
    let running = Atomic<Int>(0)
    /// Waits that polled before sleeping (`TFTPBusyPoll`).
    let spinningWaits = Atomic<Int>(0)
    /// Whether the pump waits with io_uring (set when its thread starts).
    let usingRing = Atomic<Bool>(false)
}
