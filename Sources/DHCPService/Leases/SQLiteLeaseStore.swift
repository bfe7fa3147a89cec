import DHCPCore
import Foundation
import GRDB
import Inventory

/// The default `LeaseStore`: one SQLite database (`leases.sqlite` in the state directory) through GRDB.
///
/// Why SQLite and GRDB: one file with atomic transactions instead of Kea memfile's `.csv`, `.1`, `.2` and `.completed`
/// files (docs/protocol.md, "Crash-safe leases"); WAL lets `rackboot leases` read while the server writes; GRDB is
/// maintained, mirrored here, and handles migrations and statement caching. With `LeaseDurability.full` (the default)
/// `synchronous = FULL` makes each commit durable against power loss, not only a crash; grouping commits keeps that
/// affordable.
///
/// Checkpoints (copying the WAL into the database file) run beside the commits, on a connection of their own
/// (`checkpoint()`), not inside them: SQLite's automatic checkpoint runs in the committing connection after the commit
/// that crosses its threshold, and that commit's ACKs then wait for the copy and its fsyncs (bench/HISTORY.md,
/// "Checkpoints inside a commit"). The automatic checkpoint stays as a safety net at a far higher threshold, for a
/// server whose background checkpoints cannot keep up.
public final class SQLiteLeaseStore: LeaseStore {
    private let database: DatabasePool
    /// The connection `checkpoint()` uses; `nil` for a read-only store.
    private let checkpointer: DatabaseQueue?
    /// WAL pages after which a commit checkpoints by itself (SQLite's default is 1,000): 16,384 pages of 4 KiB.
    static let automaticCheckpointPages = 16_384
    /// The database file, named in every `LeaseStoreError`.
    public let path: String
    /// How far a commit is durable when it returns.
    public let durability: LeaseDurability

    /// Only `full` fsyncs per commit; a `normal` commit ends in the page cache.
    public var commitWaitsForDisk: Bool { durability == .full }

    /// Opens (creating if needed) the database at `path`, committing with `durability`.
    ///
    /// The pragma is set on the writer after the pool exists: GRDB's WAL set-up runs after `prepareDatabase` and
    /// sets `synchronous = NORMAL` itself, so a pragma in `prepareDatabase` would be silently overridden.
    public init(path: String, durability: LeaseDurability = .full) throws {
        self.path = path
        self.durability = durability
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        database = try DatabasePool(path: path, configuration: configuration)
        try database.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = \(durability.synchronousPragma)")
            try db.execute(sql: "PRAGMA wal_autocheckpoint = \(Self.automaticCheckpointPages)")
        }
        try Self.migrator.migrate(database)
        var checkpointConfiguration = Configuration()
        checkpointConfiguration.busyMode = .immediateError
        checkpointer = try DatabaseQueue(path: path, configuration: checkpointConfiguration)
        try checkpointer?.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = \(durability.synchronousPragma)")
        }
    }

    /// The writer's automatic-checkpoint threshold in pages, for tests.
    func automaticCheckpointSetting() throws -> Int {
        try database.write { db in try Int.fetchOne(db, sql: "PRAGMA wal_autocheckpoint") ?? -1 }
    }

    /// SQLite's `synchronous` setting on the writing connection (2 FULL, 1 NORMAL), for tests.
    func synchronousSetting() throws -> Int {
        try database.write { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1 }
    }

    /// Opens an existing database read-only (for `rackboot leases`), never creating one.
    public init(readingExisting path: String) throws {
        self.path = path
        durability = .full  // never commits
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(5)
        database = try DatabasePool(path: path, configuration: configuration)
        checkpointer = nil
    }

    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("leases-v1") { db in
            try db.create(table: "lease") { table in
                table.column("address", .text).primaryKey()
                table.column("mac", .text).notNull().indexed()
                table.column("state", .text).notNull()
                table.column("expiry", .integer).notNull()
                table.column("client_id", .blob)
                table.column("hostname", .text)
            }
        }
        // Released and expired leases, one row per address: the address a returning client gets back
        // (`PreviousAddress`). A table of its own keeps `lease` holding live leases only, which `rackboot leases`
        // and the tests' queries read.
        migrator.registerMigration("previous-address-v2") { db in
            try db.create(table: "previous_address") { table in
                table.column("address", .text).primaryKey()
                table.column("mac", .text).notNull().indexed()
                table.column("since", .integer).notNull()
            }
        }
        return migrator
    }

    public func loadAll() throws -> [Lease] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM lease ORDER BY address").compactMap(Self.lease(from:))
        }
    }

    public func loadPreviousAddresses() throws -> [PreviousAddress] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM previous_address ORDER BY since, address").compactMap { row in
                guard let address = IPv4Address(row["address"] as String), let mac = MACAddress(row["mac"] as String)
                else { return nil }
                return PreviousAddress(address: address, mac: mac, since: row["since"])
            }
        }
    }

    public func commit(_ changes: [LeaseChange]) throws {
        guard !changes.isEmpty else { return }
        try failing(as: "commit \(changes.count) lease change\(changes.count == 1 ? "" : "s")") {
            try write(changes)
        }
    }

    /// After a failed commit (SQLITE_FULL when the disk is full) SQLite has rolled the transaction back and the
    /// connection stays usable: the next commit is tried afresh, so the store recovers by itself once space returns.
    private func write(_ changes: [LeaseChange]) throws {
        try database.write { db in
            for change in changes {
                switch change {
                case .bind(let lease):
                    // A client holds one bound address: moving frees the previous one (quarantines stay).
                    try db.cachedStatement(sql: "DELETE FROM lease WHERE mac = ? AND address != ? AND state = 'bound'")
                        .execute(arguments: [lease.mac.description, lease.address.description])
                    try Self.upsert(lease, in: db)
                case .quarantine(let lease):
                    try Self.upsert(lease, in: db)
                case .hold, .releaseHold:
                    break  // one appliance keeps its offers in memory (`LeaseStore.sharesLeases`)
                case .release(let lease):
                    try db.cachedStatement(sql: "DELETE FROM lease WHERE address = ? AND mac = ?")
                        .execute(arguments: [lease.address.description, lease.mac.description])
                    // The released lease ends at its `expiry` (the engine sets it to the release time).
                    try db.cachedStatement(
                        sql: "INSERT OR REPLACE INTO previous_address (address, mac, since) VALUES (?, ?, ?)"
                    ).execute(arguments: [lease.address.description, lease.mac.description, lease.expiry])
                }
            }
        }
    }

    @discardableResult
    public func removeExpired(before time: Int64) throws -> Int {
        try failing(as: "delete expired leases") {
            try database.write { db in
                try db.execute(
                    sql: """
                        INSERT OR REPLACE INTO previous_address (address, mac, since)
                        SELECT address, mac, expiry FROM lease WHERE expiry <= ? AND state = 'bound'
                        """, arguments: [time])
                try db.execute(sql: "DELETE FROM lease WHERE expiry <= ?", arguments: [time])
                return db.changesCount
            }
        }
    }

    /// Runs `body`, turning its error into a `LeaseStoreError` that names this database.
    private func failing<T>(as operation: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch {
            throw LeaseStoreError(operation: operation, path: path, reason: "\(error)")
        }
    }

    /// Copies committed WAL pages into the database file without blocking commits (a passive checkpoint), and
    /// repeats while commits arrived during the copy, up to `rounds` times: the WAL is rewound from its start only
    /// once a checkpoint has caught up with every commit, so one pass under steady load would let it grow.
    public func checkpoint(rounds: Int = 4) throws -> LeaseCheckpoint {
        guard let checkpointer else { return LeaseCheckpoint(walPages: 0, pagesCopied: 0) }
        return try failing(as: "checkpoint the write-ahead log") {
            var result = LeaseCheckpoint(walPages: 0, pagesCopied: 0)
            for _ in 0..<max(rounds, 1) {
                do {
                    let (walPages, copied) = try checkpointer.writeWithoutTransaction { db in
                        try db.checkpoint(.passive)
                    }
                    result = LeaseCheckpoint(walPages: walPages, pagesCopied: copied)
                } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY {
                    break  // the writer's safety-net checkpoint is running: it does the work
                }
                if result.isComplete { break }
            }
            return result
        }
    }

    public func checkHealth() throws {
        _ = try database.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM lease") }
    }

    /// Statements are prepared once per connection (`cachedStatement`): a grouped commit of thousands of changes
    /// would otherwise parse the same SQL thousands of times.
    /// A bound or quarantined lease replaces any memory of its address.
    private static func upsert(_ lease: Lease, in db: Database) throws {
        try db.cachedStatement(sql: "DELETE FROM previous_address WHERE address = ?")
            .execute(arguments: [lease.address.description])
        try db.cachedStatement(
            sql: """
                INSERT OR REPLACE INTO lease (address, mac, state, expiry, client_id, hostname)
                VALUES (?, ?, ?, ?, ?, ?)
                """
        ).execute(
            arguments: [
                lease.address.description, lease.mac.description, lease.state.rawValue, lease.expiry,
                lease.clientIdentifier.map { Data($0) }, lease.hostname,
            ])
    }

    /// A stored row as a lease; a row that no longer parses is skipped rather than stopping the server.
    private static func lease(from row: Row) -> Lease? {
        guard let address = IPv4Address(row["address"] as String), let mac = MACAddress(row["mac"] as String),
            let state = Lease.State(rawValue: row["state"] as String)
        else { return nil }
        let clientIdentifier: Data? = row["client_id"]
        return Lease(
            address: address, mac: mac, state: state, expiry: row["expiry"],
            clientIdentifier: clientIdentifier.map { [UInt8]($0) }, hostname: row["hostname"])
    }
}
