import CTFTPSocket
import NIOCore
import NIOPosix
import Synchronization
import TFTPCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// One thread that runs transfers on raw UDP sockets: io_uring or epoll to wait (`TFTPTransferPoller`), a deadline
/// heap for retransmissions, and an eventfd through which the request port hands over new transfers.
///
/// Transfer sockets bypass SwiftNIO's `DatagramChannel` because a lock-step transfer is one round trip per block,
/// and NIO's per-datagram work (a `SocketAddress` per datagram, the pending-write queue, a `ByteBuffer` per packet)
/// cost more CPU than the kernel's share (docs/tftp-io.md). Every protocol decision still comes from
/// `TFTPReadTransfer`; this type only moves bytes.
final class TFTPTransferPump: Sendable {
    private struct Inbox: ~Copyable {
        var pending: [TFTPTransferSetup] = []
        /// Liveness checks waiting for the thread to come round (the watchdog's probes).
        var pings: [EventLoopPromise<Void>] = []
        var stopping = false
    }

    private let inbox = Mutex(Inbox())
    private let wakeDescriptor: CInt
    private let io: TFTPTransferIO
    private let busyPollMicroseconds: Int
    private let busyPollSlot: TFTPBusyPollSlot

    let counters = TFTPTransferPumpCounters()

    /// `busyPollSlot` is shared by the server's pumps: one spins at a time.
    init(io: TFTPTransferIO = .automatic, busyPollMicroseconds: Int = 0, busyPollSlot: TFTPBusyPollSlot = .init()) {
        self.io = io
        self.busyPollMicroseconds = busyPollMicroseconds
        self.busyPollSlot = busyPollSlot
        wakeDescriptor = eventfd(0, CInt(EFD_CLOEXEC | EFD_NONBLOCK))
        precondition(wakeDescriptor >= 0, "cannot create the TFTP pump's eventfd")
    }

    deinit {
        close(wakeDescriptor)
    }

    /// Hands a transfer to the pump's thread. After `stop` the sockets are closed and `finished` runs at once.
    func submit(_ setup: TFTPTransferSetup) {
        let accepted = inbox.withLock { inbox in
            guard !inbox.stopping else { return false }
            inbox.pending.append(setup)
            return true
        }
        guard accepted else {
            setup.sockets.closeBoth()
            setup.finished()
            return
        }
        wake()
    }

    /// Succeeds `promise` from the pump's thread the next time it turns its loop: a blocked pump never answers.
    func ping(_ promise: EventLoopPromise<Void>) {
        let accepted = inbox.withLock { inbox in
            guard !inbox.stopping else { return false }
            inbox.pings.append(promise)
            return true
        }
        guard accepted else {
            promise.succeed()  // a stopped pump has nothing left to block
            return
        }
        wake()
    }

    /// Asks the thread to end every transfer and return from `run`.
    func stop() {
        inbox.withLock { $0.stopping = true }
        wake()
    }

    private func wake() {
        var one: UInt64 = 1
        _ = write(wakeDescriptor, &one, MemoryLayout<UInt64>.size)
    }

    /// What `submit`, `ping` and `stop` left for the pump's thread since it last looked.
    struct Delivery {
        var setups: [TFTPTransferSetup]
        var pings: [EventLoopPromise<Void>]
        var stopping: Bool
    }

    /// Clears the eventfd and takes the inbox: called by the loop when the eventfd was readable.
    func collectDelivery() -> Delivery {
        var value: UInt64 = 0
        _ = read(wakeDescriptor, &value, MemoryLayout<UInt64>.size)
        return inbox.withLock { inbox in
            defer {
                inbox.pending.removeAll()
                inbox.pings.removeAll()
            }
            return Delivery(setups: inbox.pending, pings: inbox.pings, stopping: inbox.stopping)
        }
    }

    /// The pump's loop; returns after `stop`. Runs on the thread that calls it (a `NIOThreadPool` thread), which
    /// owns the loop and its poller.
    func run() {
        TFTPTransferPumpLoop(
            pump: self, wakeDescriptor: wakeDescriptor, io: io, busyPollMicroseconds: busyPollMicroseconds,
            busyPollSlot: busyPollSlot
        ).run()
    }
}
