import GRDB
import Lifecycle

/// Machine lifecycle records in SQLite (`machines.sqlite` in the state directory, beside `leases.sqlite`), through
/// GRDB. Every write is one transaction with `synchronous = FULL`, so an install that called back stays installed
/// across a crash or a power cut.
public final class MachineStateStore: MachineRecordStore {
    private let database: DatabasePool
    /// The database file, for messages.
    public let path: String

    public var location: String { path }

    /// One appliance writes it.
    public var isShared: Bool { false }

    /// Opens (creating if needed) the database at `path`.
    public init(path: String) throws {
        self.path = path
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        database = try DatabasePool(path: path, configuration: configuration)
        try database.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        try Self.migrator.migrate(database)
    }

    /// Opens an existing database read-only (`rackboot machines` without a running server); never creates one.
    public init(readingExisting path: String) throws {
        self.path = path
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(5)
        database = try DatabasePool(path: path, configuration: configuration)
    }

    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("machine-lifecycle-v1") { db in
            try db.create(table: "machine") { table in
                table.primaryKey("hostname", .text)
                table.column("phase", .text).notNull()
                table.column("install_token", .text)
                table.column("install_started_at", .integer)
                table.column("installed_at", .integer)
                table.column("install_count", .integer).notNull().defaults(to: 0)
                table.column("last_dhcp_at", .integer)
                table.column("last_dhcp_address", .text)
                table.column("last_dhcp_mac", .text)
                table.column("last_boot_file", .text)
                table.column("last_boot_file_at", .integer)
                table.column("last_config", .text)
                table.column("last_config_at", .integer)
            }
        }
        migrator.registerMigration("machine-generation-v2") { db in
            try db.alter(table: "machine") { table in
                table.add(column: "generation", .integer).notNull().defaults(to: 0)
            }
        }
        return migrator
    }

    /// Every record, by lower-cased host name.
    public func loadAll() throws -> [String: MachineLifecycleRecord] {
        try database.read { db in
            var records: [String: MachineLifecycleRecord] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT * FROM machine") {
                guard let record = Self.record(from: row) else { continue }
                records[record.hostname.lowercased()] = record
            }
            return records
        }
    }

    /// Writes `records` in one durable transaction; returns when it is on disk. Nobody else writes the file, so
    /// what it holds afterwards is `records`.
    public func save(_ records: [MachineLifecycleRecord]) async throws -> [MachineLifecycleRecord] {
        guard !records.isEmpty else { return [] }
        try await database.write { db in try Self.insert(records, into: db) }
        return records
    }

    /// The same, blocking the calling thread: for the command line, which has no event loop to keep free.
    public func saveNow(_ records: [MachineLifecycleRecord]) throws {
        try database.write { db in try Self.insert(records, into: db) }
    }

    private static func insert(_ records: [MachineLifecycleRecord], into db: Database) throws {
        for record in records {
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO machine (hostname, phase, install_token, install_started_at,
                        installed_at, install_count, generation, last_dhcp_at, last_dhcp_address, last_dhcp_mac,
                        last_boot_file, last_boot_file_at, last_config, last_config_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    record.hostname.lowercased(), record.phase.rawValue, record.installToken,
                    record.installStartedAt, record.installedAt, record.installCount, record.generation,
                    record.lastDHCPAt,
                    record.lastDHCPAddress, record.lastDHCPMAC, record.lastBootFile, record.lastBootFileAt,
                    record.lastConfig, record.lastConfigAt,
                ])
        }
    }

    private static func record(from row: Row) -> MachineLifecycleRecord? {
        guard let hostname: String = row["hostname"], let phaseText: String = row["phase"],
            let phase = InstallPhase(rawValue: phaseText)
        else { return nil }
        var record = MachineLifecycleRecord(hostname: hostname, token: row["install_token"] ?? "")
        record.installToken = row["install_token"]
        record.phase = phase
        record.installStartedAt = row["install_started_at"]
        record.installedAt = row["installed_at"]
        record.installCount = row["install_count"] ?? 0
        record.generation = row["generation"] ?? 0
        record.lastDHCPAt = row["last_dhcp_at"]
        record.lastDHCPAddress = row["last_dhcp_address"]
        record.lastDHCPMAC = row["last_dhcp_mac"]
        record.lastBootFile = row["last_boot_file"]
        record.lastBootFileAt = row["last_boot_file_at"]
        record.lastConfig = row["last_config"]
        record.lastConfigAt = row["last_config_at"]
        return record
    }
}
