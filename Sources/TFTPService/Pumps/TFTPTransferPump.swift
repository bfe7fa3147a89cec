import TFTPCore
import CTFTPSocket
import NIOCore
import NIOPosix
import Synchronization

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

    /// The pump's loop; returns after `stop`. Runs on the thread that calls it (a `NIOThreadPool` thread), which
    /// owns the poller.
    func run() {
        let poller = TFTPTransferPoller(io)
        counters.usingRing.store(poller.usesRing, ordering: .relaxed)
        precondition(poller.watchReadable(wakeDescriptor) == 0, "cannot watch the TFTP pump's eventfd")
        let scratch = TFTPTransferPumpScratch(counters: counters)
        var sessions: [TFTPTransferSession?] = []
        var nextSerial: UInt64 = 0
        var busyPoll = TFTPBusyPoll(budgetMicroseconds: busyPollMicroseconds)

        // Indexed by descriptor: a transfer's connected socket and its stray socket both lead to its session.
        func reap(_ session: TFTPTransferSession) {
            sessions[Int(session.sockets.transfer)] = nil
            sessions[Int(session.sockets.stray)] = nil
            poller.unwatch(session.sockets.transfer)
            poller.unwatch(session.sockets.stray)
            session.sockets.closeBoth()
            counters.running.subtract(1, ordering: .relaxed)
            session.finished()
        }

        func adopt(_ setups: [TFTPTransferSetup], now: NIODeadline) {
            for setup in setups {
                nextSerial += 1
                let session = TFTPTransferSession(setup, serial: nextSerial)
                let highest = Int(max(setup.sockets.transfer, setup.sockets.stray))
                if highest >= sessions.count {
                    sessions.append(contentsOf: repeatElement(nil, count: highest + 1 - sessions.count))
                }
                sessions[Int(setup.sockets.transfer)] = session
                sessions[Int(setup.sockets.stray)] = session
                counters.running.add(1, ordering: .relaxed)
                let failure = poller.watchDatagrams(setup.sockets.transfer)
                let strayFailure = failure == 0 ? poller.watchReadable(setup.sockets.stray) : 0
                guard failure == 0, strayFailure == 0 else {
                    let error = max(failure, strayFailure)
                    session.abandon(because: "cannot watch the transfer's sockets (errno \(error))")
                    reap(session)
                    continue
                }
                session.start(now: now, scratch: scratch)
                if session.isFinished { reap(session) }
            }
        }

        /// Takes what `submit`, `ping` and `stop` left; returns false when the pump is stopping (every transfer
        /// has then been ended).
        func openInbox(now: NIODeadline) -> Bool {
            var value: UInt64 = 0
            _ = read(wakeDescriptor, &value, MemoryLayout<UInt64>.size)
            let (setups, pings, stopping) = inbox.withLock { inbox in
                defer {
                    inbox.pending.removeAll()
                    inbox.pings.removeAll()
                }
                return (inbox.pending, inbox.pings, inbox.stopping)
            }
            for ping in pings { ping.succeed() }
            guard !stopping else {
                for setup in setups {
                    setup.sockets.closeBoth()
                    setup.finished()
                }
                // Each session appears twice; the first visit finishes it.
                for case let session? in sessions where !session.isFinished {
                    session.abandon(because: "the server is shutting down")
                    reap(session)
                }
                return false
            }
            adopt(setups, now: now)
            return true
        }

        while true {
            let waitStarted = NIODeadline.now()
            var timeout: CInt = -1
            if let earliest = scratch.deadlines.earliest {
                let wait = (earliest.deadline - waitStarted).nanoseconds
                timeout = wait <= 0 ? 0 : CInt(min((wait + 999_999) / 1_000_000, 60_000))
            }
            var now: NIODeadline?
            var woken = false
            let transfers = counters.running.load(ordering: .relaxed)
            var spin = busyPoll.spinNanoseconds(transfers: transfers)
            if spin > 0 {
                if busyPollSlot.acquire() {
                    counters.spinningWaits.add(1, ordering: .relaxed)
                } else {
                    spin = 0
                }
            }
            poller.wait(timeoutMilliseconds: timeout, spinNanoseconds: spin) { event in
                let moment = now ?? NIODeadline.now()
                now = moment
                switch event {
                case .readable(let descriptor):
                    if descriptor == wakeDescriptor {
                        woken = true
                    } else if let session = sessions[Int(descriptor)] {
                        session.readable(descriptor, now: moment, scratch: scratch)
                        if session.isFinished { reap(session) }
                    }
                case .datagram(let descriptor, let bytes, let length):
                    guard let session = sessions[Int(descriptor)] else { return }
                    session.received(bytes, length: length, now: moment, scratch: scratch)
                    if session.isFinished { reap(session) }
                case .receiveFailed(let descriptor, let error):
                    guard let session = sessions[Int(descriptor)] else { return }
                    session.receiveFailed(errno: error, now: moment, scratch: scratch)
                    if session.isFinished { reap(session) }
                }
            }
            if spin > 0 { busyPollSlot.release() }
            let afterEvents = NIODeadline.now()
            busyPoll.waited(nanoseconds: ((now ?? afterEvents) - waitStarted).nanoseconds, transfers: transfers)
            if woken, !openInbox(now: afterEvents) { return }
            while let entry = scratch.deadlines.popDue(now: afterEvents) {
                guard let session = sessions[Int(entry.descriptor)], session.serial == entry.serial,
                    session.timerFiresAt == entry.deadline
                else { continue }
                session.timerFired(now: afterEvents, scratch: scratch)
                if session.isFinished { reap(session) }
            }
        }
    }
}
