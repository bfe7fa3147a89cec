import DHCPCore
import DHCPService
import Foundation
import Inventory
import Logging
import NIOCore
import PostgresNIO

/// The `LeaseStore` that several appliances share: leases, offer holds and previous addresses in PostgreSQL.
///
/// The database decides who gets an address. Every change that gives an address to a client (an offer's hold, a
/// bind, a quarantine) is one conditional upsert on the address's row: it takes effect only while the row is free,
/// expired, or already this client's, and the row lock makes two appliances racing for one address see one winner.
/// The loser's change comes back `refused`, with what the database holds on that address and the 63 after it, so its
/// engine learns in one round trip what the other appliances gave out there and decides again.
///
/// A hold is refused too while its client holds a bound lease on another address: the client came back through
/// this appliance after another gave it that lease, and learning it, the engine offers the client its own address.
///
/// A batch of changes is one transaction (one WAL flush on the server serves every client in it). Synchronous by
/// design: it runs on the DHCP lease-commit thread, through a `PostgresSession` whose deadline bounds how long a
/// database that stopped answering can hold a commit.
public final class PostgresLeaseStore: LeaseStore {
    public let session: PostgresSession
    /// This appliance's name, written with every row it changes.
    public let applianceName: String
    private let logger: Logger
    /// Wall-clock seconds: whether a stored lease has expired is decided against the appliance's clock.
    private let now: @Sendable () -> Int64
    /// How many addresses a refusal reads, from the refused one on.
    static let learningWindow: UInt32 = 64

    public init(
        session: PostgresSession, applianceName: String, logger: Logger,
        now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }
    ) {
        self.session = session
        self.applianceName = applianceName
        self.logger = logger
        self.now = now
    }

    public var sharesLeases: Bool { true }

    /// Every commit waits for the server's WAL flush (PostgreSQL's default `synchronous_commit = on`).
    public var commitWaitsForDisk: Bool { true }

    public func loadAll() throws -> [Lease] {
        try failing(as: "load the leases") {
            try session.run { connection in
                connection.rows(
                    "SELECT \(unescaped: Self.leaseColumns) FROM lease ORDER BY address", logger: self.logger)
            }.compactMap(Self.lease(from:))
        }
    }

    public func loadPreviousAddresses() throws -> [PreviousAddress] {
        try failing(as: "load the previous addresses") {
            try session.run { connection in
                connection.rows(
                    "SELECT host(address), mac::text, since FROM previous_address ORDER BY since, address",
                    logger: self.logger)
            }.compactMap { row in
                let (address, mac, since) = try row.decode((String, String, Int64).self)
                guard let address = IPv4Address(address), let mac = MACAddress(mac) else { return nil }
                return PreviousAddress(address: address, mac: mac, since: since)
            }
        }
    }

    public func commit(_ changes: [LeaseChange]) throws {
        _ = try apply(changes)
    }

    public func apply(_ changes: [LeaseChange]) throws -> [LeaseCommitOutcome] {
        guard !changes.isEmpty else { return [] }
        let now = now()
        let appliance = applianceName
        let taken: [Bool] = try failing(as: "commit \(changes.count) lease change\(changes.count == 1 ? "" : "s")") {
            // A deadlock with another appliance's batch (each holding a row the other wants) aborts one of the two
            // transactions, which is then simply run again.
            try retryingTransientFailures {
                try write(changes, appliance: appliance, now: now)
            }
        }
        var outcomes: [LeaseCommitOutcome] = []
        outcomes.reserveCapacity(changes.count)
        for (change, stored) in zip(changes, taken) {
            outcomes.append(
                stored
                    ? .stored
                    : .refused(standing: try storedLeases(from: change.lease.address, client: change.lease.mac)))
        }
        return outcomes
    }

    private func retryingTransientFailures<T>(_ body: () throws -> T) throws -> T {
        for _ in 1..<3 {
            do {
                return try body()
            } catch  where PostgresErrorText.isTransient(error) {
                continue
            }
        }
        return try body()
    }

    /// One transaction of `changes` (a single change needs none: one statement is atomic); per change whether it
    /// took effect. The statements are prepared once per connection (`PostgresLeaseStatements`).
    private func write(_ changes: [LeaseChange], appliance: String, now: Int64) throws -> [Bool] {
        let logger = logger
        return try session.run { connection in
            connection.eventLoop.makeFutureWithTask {
                guard changes.count > 1 else {
                    return [
                        try await PostgresLeaseStatements.run(
                            changes[0], appliance: appliance, now: now, on: connection, logger: logger)
                    ]
                }
                let begin: EventLoopFuture<PostgresQueryResult> = connection.query("BEGIN", logger: logger)
                _ = try await begin.get()
                do {
                    var taken: [Bool] = []
                    taken.reserveCapacity(changes.count)
                    for change in changes {
                        taken.append(
                            try await PostgresLeaseStatements.run(
                                change, appliance: appliance, now: now, on: connection, logger: logger))
                    }
                    let commit: EventLoopFuture<PostgresQueryResult> = connection.query("COMMIT", logger: logger)
                    guard try await commit.get().metadata.command == "COMMIT" else {
                        throw PostgresConnection.RolledBack()
                    }
                    return taken
                } catch {
                    let rollback: EventLoopFuture<PostgresQueryResult> = connection.query("ROLLBACK", logger: logger)
                    _ = try? await rollback.get()
                    throw error
                }
            }
        }
    }

    public func storedLeases(around address: IPv4Address) throws -> StoredLeases {
        try storedLeases(from: address)
    }

    /// What the database holds on `address` and the addresses after it, up to `learningWindow` in all, and with
    /// `client`, the leases that client holds anywhere.
    private func storedLeases(from address: IPv4Address, client: MACAddress? = nil) throws -> StoredLeases {
        let last = IPv4Address(
            rawValue: address.rawValue > UInt32.max - (Self.learningWindow - 1)
                ? UInt32.max : address.rawValue + Self.learningWindow - 1)
        let now = now()
        let leases = try failing(as: "read the leases around \(address)") {
            try session.run { connection in
                connection.rows(
                    """
                    SELECT \(unescaped: Self.leaseColumns) FROM lease
                    WHERE address BETWEEN \(address.description)::inet AND \(last.description)::inet
                        AND expiry > \(now)
                    """, logger: self.logger)
            }.compactMap(Self.lease(from:))
        }
        var clientLeases: [Lease] = []
        if let client {
            clientLeases = try failing(as: "read the leases of \(client)") {
                try session.run { connection in
                    connection.rows(
                        """
                        SELECT \(unescaped: Self.leaseColumns) FROM lease
                        WHERE mac = \(client.description)::macaddr AND expiry > \(now) AND state = 'bound'
                        """, logger: self.logger)
                }.compactMap(Self.lease(from:))
            }
        }
        return StoredLeases(range: IPv4Range(first: address, last: last)!, leases: leases, clientLeases: clientLeases)
    }

    @discardableResult
    public func removeExpired(before time: Int64) throws -> Int {
        try failing(as: "delete expired leases") {
            let rows = try session.run { connection in
                connection.rows(
                    """
                    WITH expired AS (
                        DELETE FROM lease WHERE expiry <= \(time) RETURNING address, mac, state, expiry
                    ), remembered AS (
                        INSERT INTO previous_address (address, mac, since)
                        SELECT address, mac, expiry FROM expired WHERE state = 'bound'
                        ON CONFLICT (address) DO UPDATE SET mac = excluded.mac, since = excluded.since
                    )
                    SELECT count(*) FROM expired
                    """, logger: self.logger)
            }
            return Int(try rows.first?.decode(Int64.self) ?? 0)
        }
    }

    /// The database being unreachable is an outage the server reports and rides out (no ACK without a commit),
    /// not a reason for the watchdog to have systemd restart the appliance: a restart would not bring the
    /// database back, and TFTP and HTTP keep serving meanwhile. So health is not a query.
    public func checkHealth() throws {}

    /// Columns read back as a `Lease`, in `lease(from:)`'s order.
    static let leaseColumns = "host(address), mac::text, state, expiry, client_id, hostname"

    /// A row of `leaseColumns` as a lease; a row that does not parse is skipped.
    static func lease(from row: PostgresRow) throws -> Lease? {
        let (address, mac, state, expiry, clientID, hostname) = try row.decode(
            (String, String, String, Int64, ByteBuffer?, String?).self)
        guard let address = IPv4Address(address), let mac = MACAddress(mac), let state = Lease.State(rawValue: state)
        else { return nil }
        return Lease(
            address: address, mac: mac, state: state, expiry: expiry,
            clientIdentifier: clientID.map { Array($0.readableBytesView) }, hostname: hostname)
    }

    /// Runs `body`, turning its error into a `LeaseStoreError` that names the database.
    private func failing<T>(as operation: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch {
            throw LeaseStoreError(
                operation: operation, path: session.endpoint.description, reason: PostgresErrorText.describe(error))
        }
    }
}
