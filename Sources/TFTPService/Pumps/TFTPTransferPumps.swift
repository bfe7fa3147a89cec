import NIOCore
import NIOPosix
import Synchronization
import TFTPCore

/// The server's transfer pumps, one thread each, with new transfers spread over them in turn so a boot storm
/// uses every core while the request port stays on its event loop.
final class TFTPTransferPumps: Sendable {
    private let pumps: [TFTPTransferPump]
    private let threads: NIOThreadPool
    private let started = Mutex(false)
    private let turn = Atomic<Int>(0)

    init(count: Int, io: TFTPTransferIO = .automatic, busyPollMicroseconds: Int = 0) {
        let busyPollSlot = TFTPBusyPollSlot()
        pumps = (0..<max(1, count)).map { _ in
            TFTPTransferPump(io: io, busyPollMicroseconds: busyPollMicroseconds, busyPollSlot: busyPollSlot)
        }
        threads = NIOThreadPool(numberOfThreads: pumps.count)
    }

    /// Starts the threads; later calls do nothing.
    func start() {
        let startNow = started.withLock { started in
            defer { started = true }
            return !started
        }
        guard startNow else { return }
        threads.start()
        for pump in pumps {
            threads.submit { _ in pump.run() }
        }
    }

    /// The pump for the next transfer.
    func next() -> TFTPTransferPump {
        pumps[turn.wrappingAdd(1, ordering: .relaxed).oldValue % pumps.count]
    }

    var count: Int { pumps.count }

    /// Succeeds when pump `index`'s thread turned its loop (the watchdog's liveness probe).
    func check(_ index: Int, on eventLoop: any EventLoop) -> EventLoopFuture<Void> {
        let promise = eventLoop.makePromise(of: Void.self)
        pumps[index].ping(promise)
        return promise.futureResult
    }

    /// Ends every running transfer and joins the threads.
    func shutdown() async throws {
        for pump in pumps { pump.stop() }
        guard started.withLock({ $0 }) else { return }
        try await threads.shutdownGracefully()
    }

    /// Sends made by all pumps (one per packet or window), for tests.
    var sendCalls: Int { pumps.reduce(0) { $0 + $1.counters.sendCalls.load(ordering: .relaxed) } }

    /// UDP GSO sends made by all pumps, for tests.
    var segmentedSends: Int { pumps.reduce(0) { $0 + $1.counters.segmentedSends.load(ordering: .relaxed) } }

    /// Pumps whose thread waits with io_uring, for tests.
    var pumpsUsingRing: Int { pumps.filter { $0.counters.usingRing.load(ordering: .relaxed) }.count }

    /// Waits in which a pump polled before sleeping, for tests.
    var spinningWaits: Int { pumps.reduce(0) { $0 + $1.counters.spinningWaits.load(ordering: .relaxed) } }

    /// Failed receives (ICMP errors) seen by all pumps, for tests.
    var receiveErrors: Int { pumps.reduce(0) { $0 + $1.counters.receiveErrors.load(ordering: .relaxed) } }
    var clientsGone: Int { pumps.reduce(0) { $0 + $1.counters.clientsGone.load(ordering: .relaxed) } }
}
