import CTFTPSocket
import NIOCore
import NIOPosix
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One thread that runs transfers on raw UDP sockets: epoll for readiness, a deadline heap for retransmissions,
/// and an eventfd through which the request port hands over new transfers.
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
    private let epollDescriptor: CInt

    let counters = TFTPTransferPumpCounters()

    init() {
        wakeDescriptor = eventfd(0, CInt(EFD_CLOEXEC | EFD_NONBLOCK))
        epollDescriptor = epoll_create1(CInt(EPOLL_CLOEXEC))
        precondition(wakeDescriptor >= 0 && epollDescriptor >= 0, "cannot create the TFTP pump's eventfd or epoll")
        precondition(ctftp_epoll_add(epollDescriptor, wakeDescriptor) == 0, "cannot watch the TFTP pump's eventfd")
    }

    deinit {
        close(wakeDescriptor)
        close(epollDescriptor)
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

    /// The pump's loop; returns after `stop`. Runs on the thread that calls it (a `NIOThreadPool` thread).
    func run() {
        let scratch = TFTPTransferPumpScratch(counters: counters)
        var sessions: [TFTPTransferSession?] = []
        var nextSerial: UInt64 = 0
        let readyCapacity = 256
        let ready = UnsafeMutablePointer<CInt>.allocate(capacity: readyCapacity)
        defer { ready.deallocate() }

        // Indexed by descriptor: a transfer's connected socket and its stray socket both lead to its session.
        func reap(_ session: TFTPTransferSession) {
            sessions[Int(session.sockets.transfer)] = nil
            sessions[Int(session.sockets.stray)] = nil
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
                guard ctftp_epoll_add(epollDescriptor, setup.sockets.transfer) == 0,
                    ctftp_epoll_add(epollDescriptor, setup.sockets.stray) == 0
                else {
                    session.abandon(because: "epoll_ctl failed (errno \(errno))")
                    reap(session)
                    continue
                }
                session.start(now: now, scratch: scratch)
                if session.isFinished { reap(session) }
            }
        }

        while true {
            var timeout: CInt = -1
            if let earliest = scratch.deadlines.earliest {
                let wait = (earliest.deadline - NIODeadline.now()).nanoseconds
                timeout = wait <= 0 ? 0 : CInt(min((wait + 999_999) / 1_000_000, 60_000))
            }
            let count = ctftp_epoll_wait(epollDescriptor, ready, CInt(readyCapacity), timeout)
            var now = NIODeadline.now()
            for position in 0..<Int(max(count, 0)) {
                let descriptor = ready[position]
                if descriptor == wakeDescriptor {
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
                    if stopping {
                        for setup in setups {
                            setup.sockets.closeBoth()
                            setup.finished()
                        }
                        // Each session appears twice; the first visit finishes it.
                        for case let session? in sessions where !session.isFinished {
                            session.abandon(because: "the server is shutting down")
                            reap(session)
                        }
                        return
                    }
                    adopt(setups, now: now)
                    continue
                }
                guard let session = sessions[Int(descriptor)] else { continue }
                session.readable(descriptor, now: now, scratch: scratch)
                if session.isFinished { reap(session) }
            }
            now = NIODeadline.now()
            while let entry = scratch.deadlines.popDue(now: now) {
                guard let session = sessions[Int(entry.descriptor)], session.serial == entry.serial,
                    session.timerFiresAt == entry.deadline
                else { continue }
                session.timerFired(now: now, scratch: scratch)
                if session.isFinished { reap(session) }
            }
        }
    }
}
