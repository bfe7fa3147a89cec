import DHCPCore
import Foundation
import Inventory
import Logging
import NIOCore
import NIOPosix

/// The DHCP server's state, owned by one event loop: the engine (with its lease table), the commit queue and the
/// counters. Every channel of the server runs on that loop, so the engine needs no lock.
final class DHCPServerCore {
    private(set) var engine: DHCPEngine
    private let commits: LeaseCommitQueue
    private let store: any LeaseStore
    private let threadPool: NIOThreadPool
    private let inventory: @Sendable () -> Inventory
    private let logger: Logger
    private let addressBook: ClientAddressBook?
    let eventLoop: any EventLoop
    private(set) var statistics = DHCPServerStatistics()
    private let metrics: DHCPMetrics
    private let wallClock: () -> Int64
    private let monotonicClock: () -> Duration
    /// One warning per source and interval for drops that come in floods; the rest at debug.
    private var dropWarnings: LogThrottle<String>
    /// The store's current failure, if any: what the log and the status line say about it.
    private(set) var storeOutage = LeaseStoreOutage()
    /// A background checkpoint is running (they never overlap).
    private var checkpointRunning = false
    /// Background checkpoints failed since the last one that worked; 0 while they work.
    private(set) var failedCheckpoints = 0

    /// `wallClock` (epoch seconds, for leases) and `monotonicClock` (for rate limits and log throttling) are
    /// parameters so that tests can drive time.
    init(
        engine: DHCPEngine, store: any LeaseStore, eventLoop: any EventLoop, threadPool: NIOThreadPool,
        inventory: @escaping @Sendable () -> Inventory, logger: Logger, addressBook: ClientAddressBook? = nil,
        dropWarningInterval: Duration = .seconds(60), wallClock: @escaping () -> Int64 = DHCPServerCore.now,
        monotonicClock: @escaping () -> Duration = DHCPServerCore.monotonicClock()
    ) {
        self.engine = engine
        self.addressBook = addressBook
        self.store = store
        self.eventLoop = eventLoop
        self.threadPool = threadPool
        self.inventory = inventory
        self.logger = logger
        self.wallClock = wallClock
        self.monotonicClock = monotonicClock
        dropWarnings = LogThrottle(interval: dropWarningInterval, overflow: "other sources")
        let metrics = DHCPMetrics()
        self.metrics = metrics
        commits = LeaseCommitQueue(store: store, eventLoop: eventLoop, metrics: metrics)
    }

    /// Wall-clock seconds: leases are stored in epoch time.
    static func now() -> Int64 { Int64(Date().timeIntervalSince1970) }

    /// Time since the clock was made, from the monotonic clock.
    static func monotonicClock() -> () -> Duration {
        let origin = ContinuousClock.now
        return { ContinuousClock.now - origin }
    }

    /// Decodes, decides, commits, then replies through `send`. A malformed datagram is counted and dropped.
    func receive(_ datagram: ByteBuffer, arrival: DHCPArrival, send: @escaping (DHCPReply) -> Void) {
        eventLoop.preconditionInEventLoop()
        statistics.received += 1
        var buffer = datagram
        let request: DHCPMessage
        do {
            request = try buffer.readDHCPMessage()
        } catch {
            statistics.malformed += 1
            metrics.dropped(.malformed)
            warnThrottled(
                "dropping malformed DHCP datagrams", source: "malformed from \(arrival.sourceAddress)",
                metadata: ["source_ip": "\(arrival.sourceAddress)", "reason": "\(error)"])
            return
        }
        decide(request, arrival: arrival, attempt: 0, heardFromStore: false, send: send)
    }

    /// How many times one request is decided with a shared store before it is given up unanswered: each further
    /// decision follows what the store said about an address another appliance holds.
    static let maximumDecisions = 4

    /// Decides `request`, commits what the decision changes, then replies. With a shared store, a decision that
    /// rests on what the table says of another client's lease, or a change the store refuses, makes the engine
    /// learn what the store holds and decide again (`attempt` counts the decisions before this one). The store is
    /// read for a refusal only while nothing was learned from it for this request (`heardFromStore`).
    private func decide(
        _ request: DHCPMessage, arrival: DHCPArrival, attempt: Int, heardFromStore: Bool,
        send: @escaping (DHCPReply) -> Void
    ) {
        let decision = engine.handle(
            request, arrival: arrival, inventory: inventory(), now: wallClock(),
            monotonic: monotonicClock(), retrying: attempt > 0)
        let mayDecideAgain = store.sharesLeases && attempt + 1 < Self.maximumDecisions
        if mayDecideAgain, !heardFromStore, let address = decision.restsOnHolderOf {
            commits.lookup(address).assumeIsolated().whenComplete { result in
                switch result {
                case .success(let stored):
                    self.engine.learn(stored)
                    self.decide(request, arrival: arrival, attempt: attempt + 1, heardFromStore: true, send: send)
                case .failure:
                    // The store cannot be read: answer from what the table knows.
                    self.finish(decision, arrival: arrival, send: send)
                }
            }
            return
        }
        guard let change = decision.leaseChange, store.sharesLeases || !change.concernsSharedStoresOnly else {
            return finish(decision, arrival: arrival, send: send)
        }
        commits.commit(change).assumeIsolated().whenComplete { result in
            switch result {
            case .success(.stored):
                self.storeRecovered()
                switch change {
                case .bind(let lease): self.addressBook?.acknowledge(lease.mac, at: lease.address)
                case .release(let lease), .quarantine(let lease): self.addressBook?.forget(lease.address)
                case .hold, .releaseHold: break
                }
                self.finish(decision, arrival: arrival, send: send)
            case .success(.refused(let standing)):
                self.storeRecovered()
                if let rollback = decision.rollback { self.engine.rollBack(rollback) }
                self.engine.learn(standing)
                self.statistics.sharedStoreRefusals += 1
                self.metrics.refusedBySharedStore()
                guard mayDecideAgain else { return self.gaveUp(decision, change: change, arrival: arrival) }
                self.decide(request, arrival: arrival, attempt: attempt + 1, heardFromStore: true, send: send)
            case .failure(let error):
                if let rollback = decision.rollback { self.engine.rollBack(rollback) }
                self.count(decision.event)
                self.storeFailed(error, event: decision.event)
            }
        }
    }

    /// Counts, logs and sends a decision that is final.
    private func finish(_ decision: DHCPDecision, arrival: DHCPArrival, send: (DHCPReply) -> Void) {
        count(decision.event)
        log(decision.event, arrival: arrival)
        if let reply = decision.reply { send(reply) }
    }

    private func count(_ event: DHCPEvent) {
        statistics.count(event.kind)
        metrics.count(event)
    }

    /// Every decision for one request hit an address the shared store gave to another client: the request goes
    /// unanswered (the client retries, by then knowing more), and the log says so, throttled.
    private func gaveUp(_ decision: DHCPDecision, change: LeaseChange, arrival: DHCPArrival) {
        statistics.conflictsGivenUp += 1
        metrics.dropped(.sharedStoreConflict)
        var event = decision.event
        event.reason =
            "the shared lease store refused \(Self.maximumDecisions) decisions in a row (last on "
            + "\(change.lease.address)); no reply"
        warnThrottled(
            "requests unanswered: other appliances hold the addresses chosen for them", source: "shared store",
            metadata: metadata(event))
    }

    /// A refused change gets no reply: silence makes the client retry (a renewing client keeps its stored lease
    /// until it expires), where a NAK would make it drop its address at once and an ACK would promise a lease that
    /// is not stored. The first failure of an outage is logged as an error with the reason, then a reminder at
    /// most once a minute; each refused exchange is logged at debug.
    private func storeFailed(_ error: any Error, event: DHCPEvent) {
        statistics.storeFailures += 1
        metrics.dropped(.leaseStoreFailed)
        let reason = "\(error)"
        let report = storeOutage.failed(at: Self.now(), reason: reason)
        statistics.storeOutage = storeOutage
        var metadata = metadata(event).merging(["reason": "\(reason)"]) { $1 }
        metadata["message_id"] = "\(DHCPMessageID.leaseStoreFailing)"
        switch report {
        case .began:
            logger.error(
                "lease store cannot commit: no lease is acknowledged until it can (clients get no reply)",
                metadata: metadata)
        case .stillFailing(let failures):
            metadata["failed_commits"] = "\(failures)"
            logger.error(
                "lease store still cannot commit: \(failures) lease changes refused so far",
                metadata: metadata)
        case .quiet:
            logger.debug("lease change not stored, no reply sent", metadata: metadata)
        }
    }

    private func storeRecovered() {
        guard let failures = storeOutage.succeeded() else { return }
        statistics.storeOutage = storeOutage
        logger.notice(
            "lease store writable again after \(failures) failed commits",
            metadata: [
                "failed_commits": "\(failures)", "message_id": "\(DHCPMessageID.leaseStoreRecovered)",
            ])
    }

    /// Succeeds once every lease change already decided is durable.
    func drainCommits() -> EventLoopFuture<Void> { commits.whenIdle() }

    /// Ends the lease commit thread once it has written what it holds: the last step of a stop.
    func stopCommitting() { commits.stop() }

    /// Drops expired leases from memory and from the store.
    func sweepExpiredLeases() {
        let now = wallClock()
        let expired = engine.removeExpiredLeases(at: now)
        let store = store
        threadPool.runIfActive(eventLoop: eventLoop) { try store.removeExpired(before: now) }
            .assumeIsolated().whenFailure { error in
                self.logger.warning("could not delete expired leases", metadata: ["reason": "\(error)"])
            }
        if !expired.isEmpty { logger.debug("expired leases removed", metadata: ["count": "\(expired.count)"]) }
    }

    /// Checkpoints the store on `pool`, a thread of its own, so neither commits nor the event loop wait for it.
    /// A failure (a full disk: the database file cannot grow) is a warning once, then debug until one works again:
    /// the commits themselves keep working while the write-ahead log has room, and say so when it has none.
    /// The future completes when this checkpoint (or the one already running) is over.
    @discardableResult
    func checkpointLeaseStore(on pool: NIOThreadPool) -> EventLoopFuture<Void> {
        guard !checkpointRunning else { return eventLoop.makeSucceededVoidFuture() }
        checkpointRunning = true
        let store = store
        let done = eventLoop.makePromise(of: Void.self)
        pool.runIfActive(eventLoop: eventLoop) { try store.checkpoint(rounds: 4) }
            .assumeIsolated().whenComplete { result in
                defer { done.succeed() }
                self.checkpointRunning = false
                switch result {
                case .success:
                    if self.failedCheckpoints > 0 {
                        self.logger.notice(
                            "lease store checkpoints work again",
                            metadata: ["failed_checkpoints": "\(self.failedCheckpoints)"])
                    }
                    self.failedCheckpoints = 0
                case .failure(let error):
                    self.failedCheckpoints += 1
                    let metadata: Logger.Metadata = [
                        "reason": "\(error)", "failed_checkpoints": "\(self.failedCheckpoints)",
                    ]
                    if self.failedCheckpoints == 1 {
                        self.logger.warning(
                            "lease store checkpoint failed: committed leases stay in the write-ahead log, which grows until a checkpoint works",
                            metadata: metadata)
                    } else {
                        self.logger.debug("lease store checkpoint failed again", metadata: metadata)
                    }
                }
            }
        return done.futureResult
    }

    var activeLeaseCount: Int {
        let now = wallClock()
        return engine.leases.leases.filter { $0.state == .bound && $0.isActive(at: now) }.count
    }

    /// One info entry per exchange: a DORA's entry is its ACK (or NAK), which carries every fact its OFFER had, so
    /// an OFFER that hands out an address is logged at debug. A proxy offer (no address) is its exchange's only
    /// reply and stays at info. Two lines per DORA cost the server a good part of its throughput (docs/performance.md).
    private func log(_ event: DHCPEvent, arrival: DHCPArrival) {
        // The port-4011 answer hands out no lease, so its line must not read like one.
        let what = event.clientAddress != nil ? "answered by the boot server (port 4011)" : event.kind.rawValue
        let message: Logger.Message = "\(event.messageType.map(String.init(describing:)) ?? "DHCP") \(what)"
        switch event.kind {
        case .acknowledged where event.address != nil:
            logger.info(
                message, metadata: metadata(event).merging(["message_id": "\(DHCPMessageID.leaseGranted)"]) { $1 })
        case .offered where event.address != nil:
            logger.debug(message, metadata: metadata(event))
        case .offered, .acknowledged, .released, .informed:
            logger.info(message, metadata: metadata(event))
        case .declined:
            logger.warning(
                message, metadata: metadata(event).merging(["message_id": "\(DHCPMessageID.leaseDeclined)"]) { $1 })
        case .negativelyAcknowledged:
            logger.notice(message, metadata: metadata(event))
        case .ignored:
            logger.debug(message, metadata: metadata(event))
        case .dropped:
            warnThrottled(
                "dropping unusable DHCP requests", source: "unusable from \(arrival.sourceAddress)",
                metadata: metadata(event).merging(["source_ip": "\(arrival.sourceAddress)"]) { $1 })
        case .rateLimited:
            warnThrottled(
                "dropping DHCP requests over the rate limit", source: event.source ?? "unknown",
                metadata: metadata(event))
        case .poolExhausted:
            warnThrottled(
                "pool exhausted: DHCPDISCOVERs get no offer", source: event.source ?? "unknown",
                metadata: metadata(event))
        }
    }

    /// Warns about the first drop from `source`, then once per interval with the count since; the rest at debug.
    private func warnThrottled(_ message: Logger.Message, source: String, metadata: Logger.Metadata) {
        let (verdict, countedAs) = dropWarnings.record(source, at: monotonicClock())
        switch verdict {
        case .warn(let count):
            var metadata = metadata
            metadata["count"] = "\(count)"
            if countedAs != source { metadata["counted_as"] = "\(countedAs)" }
            logger.warning(message, metadata: metadata)
        case .quiet:
            logger.debug(message, metadata: metadata)
        }
    }

    /// Stable journal field names (docs/monitoring.md, "Fields"): `mac`, `ip`, `xid`, `message_type`, `arch`,
    /// `hostname`, `profile`, `file`, `reason`.
    private func metadata(_ event: DHCPEvent) -> Logger.Metadata {
        var metadata: Logger.Metadata = ["xid": "\(String(event.transactionID, radix: 16))"]
        if let mac = event.mac { metadata["mac"] = "\(mac)" }
        if let address = event.address { metadata["ip"] = "\(address)" }
        if let type = event.messageType { metadata["message_type"] = "\(type)" }
        if let architecture = event.architecture { metadata["arch"] = "\(architecture)" }
        if let hostname = event.hostname { metadata["hostname"] = "\(hostname)" }
        if let profile = event.profile { metadata["profile"] = "\(profile)" }
        if let file = event.bootFile { metadata["file"] = "\(file)" }
        if let reason = event.reason { metadata["reason"] = "\(reason)" }
        if let relay = event.relay { metadata["relay"] = "\(relay)" }
        if let client = event.clientAddress { metadata["client_ip"] = "\(client)" }
        return metadata
    }
}

/// Counters for the status line and for tests. `malformed` counts datagrams that do not decode, `dropped` decoded
/// requests the engine cannot use (wrong htype/hlen, no message type, a broken option 82).
public struct DHCPServerStatistics: Sendable, Hashable {
    public var received = 0
    public var malformed = 0
    public var dropped = 0
    public var ignored = 0
    public var offers = 0
    public var acknowledgements = 0
    public var negativeAcknowledgements = 0
    /// Lease changes the store refused (each one a reply not sent), since the start.
    public var storeFailures = 0
    /// Changes a shared store refused because another appliance holds the address: the engine learned and decided
    /// again.
    public var sharedStoreRefusals = 0
    /// Requests left unanswered after `DHCPServerCore.maximumDecisions` refusals in a row.
    public var conflictsGivenUp = 0
    /// Requests over a per-MAC or per-relay limit.
    public var rateLimited = 0
    /// DISCOVERs that found no free pool address.
    public var poolExhausted = 0
    /// The store's current outage (`isOngoing` false while it works).
    public var storeOutage = LeaseStoreOutage()

    public init() {}

    mutating func count(_ kind: DHCPEvent.Kind) {
        switch kind {
        case .dropped: dropped += 1
        case .rateLimited: rateLimited += 1
        case .poolExhausted: poolExhausted += 1
        case .ignored: ignored += 1
        case .offered: offers += 1
        case .acknowledged: acknowledgements += 1
        case .negativelyAcknowledged: negativeAcknowledgements += 1
        case .released, .declined, .informed: break
        }
    }
}
