import NIOCore
import TFTPCore

/// The loop of one pump's thread: waits on the poller until the next retransmission deadline, hands each event to
/// its transfer's session, adopts the transfers the request port submitted, and fires due timers.
///
/// Confined to the pump's thread (it is not `Sendable`): the poller, the sessions, the deadline heap and the
/// scratch buffers need no lock. The only way in from other threads is the pump's inbox and its eventfd.
final class TFTPTransferPumpLoop {
    private let pump: TFTPTransferPump
    private let wakeDescriptor: CInt
    private let poller: TFTPTransferPoller
    private let scratch: TFTPTransferPumpScratch
    private var counters: TFTPTransferPumpCounters { pump.counters }
    private let busyPollSlot: TFTPBusyPollSlot
    private var busyPoll: TFTPBusyPoll
    /// Indexed by descriptor: a transfer's connected socket and its stray socket both lead to its session.
    private var sessions: [TFTPTransferSession?] = []
    private var nextSerial: UInt64 = 0

    init(
        pump: TFTPTransferPump, wakeDescriptor: CInt, io: TFTPTransferIO, busyPollMicroseconds: Int,
        busyPollSlot: TFTPBusyPollSlot
    ) {
        self.pump = pump
        self.wakeDescriptor = wakeDescriptor
        self.busyPollSlot = busyPollSlot
        poller = TFTPTransferPoller(io)
        scratch = TFTPTransferPumpScratch(counters: pump.counters)
        busyPoll = TFTPBusyPoll(budgetMicroseconds: busyPollMicroseconds)
        pump.counters.usingRing.store(poller.usesRing, ordering: .relaxed)
        precondition(poller.watchReadable(wakeDescriptor) == 0, "cannot watch the TFTP pump's eventfd")
    }

    /// Turns until the pump is stopped.
    func run() {
        while turn() {}
    }

    /// One wait and what it brought: events, then the inbox if the eventfd fired, then due timers. False once the
    /// pump is stopping (every transfer has then been ended).
    private func turn() -> Bool {
        let waitStarted = NIODeadline.now()
        let transfers = counters.running.load(ordering: .relaxed)
        let spin = spinBudget(transfers: transfers)
        var firstEvent: NIODeadline?
        var woken = false
        poller.wait(timeoutMilliseconds: timeout(from: waitStarted), spinNanoseconds: spin) { event in
            let now = firstEvent ?? NIODeadline.now()
            firstEvent = now
            if handle(event, now: now) { woken = true }
        }
        if spin > 0 { busyPollSlot.release() }
        let afterEvents = NIODeadline.now()
        busyPoll.waited(nanoseconds: ((firstEvent ?? afterEvents) - waitStarted).nanoseconds, transfers: transfers)
        if woken, !openInbox(now: afterEvents) { return false }
        fireDueTimers(now: afterEvents)
        return true
    }

    /// Milliseconds until the earliest retransmission deadline (-1: none, wait for an event).
    private func timeout(from now: NIODeadline) -> CInt {
        guard let earliest = scratch.deadlines.earliest else { return -1 }
        let wait = (earliest.deadline - now).nanoseconds
        return wait <= 0 ? 0 : CInt(min((wait + 999_999) / 1_000_000, 60_000))
    }

    /// How long this wait may poll before it sleeps: `TFTPBusyPoll`'s budget, if this pump gets the shared slot
    /// (released after the wait).
    private func spinBudget(transfers: Int) -> Int64 {
        let spin = busyPoll.spinNanoseconds(transfers: transfers)
        guard spin > 0, busyPollSlot.acquire() else { return 0 }
        counters.spinningWaits.add(1, ordering: .relaxed)
        return spin
    }

    /// Hands one event to its session; true when it was the eventfd (the inbox has mail).
    private func handle(_ event: TFTPTransferPoller.Event, now: NIODeadline) -> Bool {
        switch event {
        case .readable(let descriptor):
            if descriptor == wakeDescriptor { return true }
            guard let session = session(on: descriptor) else { return false }
            session.readable(descriptor, now: now, scratch: scratch)
            reapIfFinished(session)
        case .datagram(let descriptor, let bytes, let length):
            guard let session = session(on: descriptor) else { return false }
            session.received(bytes, length: length, now: now, scratch: scratch)
            reapIfFinished(session)
        case .receiveFailed(let descriptor, let error):
            guard let session = session(on: descriptor) else { return false }
            session.receiveFailed(errno: error, now: now, scratch: scratch)
            reapIfFinished(session)
        }
        return false
    }

    private func session(on descriptor: CInt) -> TFTPTransferSession? {
        Int(descriptor) < sessions.count ? sessions[Int(descriptor)] : nil
    }

    /// Takes what `submit`, `ping` and `stop` left; false when the pump is stopping.
    private func openInbox(now: NIODeadline) -> Bool {
        let delivery = pump.collectDelivery()
        for ping in delivery.pings { ping.succeed() }
        guard !delivery.stopping else {
            endEverything(refusing: delivery.setups)
            return false
        }
        for setup in delivery.setups { adopt(setup, now: now) }
        return true
    }

    private func adopt(_ setup: TFTPTransferSetup, now: NIODeadline) {
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
            session.abandon(because: "cannot watch the transfer's sockets (errno \(max(failure, strayFailure)))")
            return reap(session)
        }
        session.start(now: now, scratch: scratch)
        reapIfFinished(session)
    }

    /// The server is stopping: transfers not yet started are refused, running ones are ended (each logs it).
    private func endEverything(refusing setups: [TFTPTransferSetup]) {
        for setup in setups {
            setup.sockets.closeBoth()
            setup.finished()
        }
        // Each session appears twice; the first visit reaps it.
        for case let session? in sessions where !session.isFinished {
            session.abandon(because: "the server is shutting down")
            reap(session)
        }
    }

    private func fireDueTimers(now: NIODeadline) {
        while let entry = scratch.deadlines.popDue(now: now) {
            guard let session = session(on: entry.descriptor), session.serial == entry.serial,
                session.timerFiresAt == entry.deadline
            else { continue }
            session.timerFired(now: now, scratch: scratch)
            reapIfFinished(session)
        }
    }

    private func reapIfFinished(_ session: TFTPTransferSession) {
        if session.isFinished { reap(session) }
    }

    private func reap(_ session: TFTPTransferSession) {
        sessions[Int(session.sockets.transfer)] = nil
        sessions[Int(session.sockets.stray)] = nil
        poller.unwatch(session.sockets.transfer)
        poller.unwatch(session.sockets.stray)
        session.sockets.closeBoth()
        counters.running.subtract(1, ordering: .relaxed)
        session.finished()
    }
}
