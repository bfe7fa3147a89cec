import Dispatch
import Lifecycle
import LifecycleService
import Logging
import NIOCore
import PostgresNIO

/// Machine lifecycle records in the shared database (`machine` table), so that a machine installed through one
/// appliance boots its disk from all of them.
///
/// A write never undoes a newer phase: the install phase columns take the written values only when their
/// generation is higher than the stored one, and each observation (last DHCP, last file, last config) only when it
/// is newer than the stored one. Every write answers with the row as it stands afterwards, which the book takes.
public final class PostgresMachineStore: MachineRecordStore {
    public let session: PostgresSession
    /// This appliance's name, written with every row it changes.
    public let applianceName: String
    private let logger: Logger
    /// Writes block on the session; this keeps them off Swift's cooperative threads.
    private let queue = DispatchQueue(label: "rackboot.postgres.machines")

    public init(session: PostgresSession, applianceName: String, logger: Logger) {
        self.session = session
        self.applianceName = applianceName
        self.logger = logger
    }

    public var location: String { session.endpoint.description }

    public var isShared: Bool { true }

    static let columns = """
        hostname, phase, generation, install_token, install_started_at, installed_at, install_count, last_dhcp_at,
        last_dhcp_address, last_dhcp_mac, last_boot_file, last_boot_file_at, last_config, last_config_at
        """

    public func loadAll() throws -> [String: MachineLifecycleRecord] {
        let rows = try session.run { connection in
            connection.rows("SELECT \(unescaped: Self.columns) FROM machine", logger: self.logger)
        }
        var records: [String: MachineLifecycleRecord] = [:]
        for row in rows {
            guard let record = try Self.record(from: row) else { continue }
            records[record.hostname.lowercased()] = record
        }
        return records
    }

    public func save(_ records: [MachineLifecycleRecord]) async throws -> [MachineLifecycleRecord] {
        guard !records.isEmpty else { return [] }
        return try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try self.write(records) })
            }
        }
    }

    public func saveNow(_ records: [MachineLifecycleRecord]) throws {
        _ = try write(records)
    }

    /// One transaction; the rows as they stand afterwards, in the order of `records`.
    private func write(_ records: [MachineLifecycleRecord]) throws -> [MachineLifecycleRecord] {
        guard !records.isEmpty else { return [] }
        let logger = logger
        let appliance = applianceName
        let rows = try session.run { connection in
            connection.transaction(logger: logger) {
                EventLoopFuture.whenAllSucceed(
                    records.map { connection.rows(Self.upsert($0, appliance: appliance), logger: logger) },
                    on: connection.eventLoop)
            }
        }
        return try zip(records, rows).map { record, rows in
            try rows.first.flatMap(Self.record(from:)) ?? record
        }
    }

    /// Inserts `record`, or merges it into the stored row: the install phase when its generation is higher, each
    /// observation when it is newer.
    static func upsert(_ record: MachineLifecycleRecord, appliance: String) -> PostgresQuery {
        let phaseIsNewer = "excluded.generation > m.generation"
        return """
            INSERT INTO machine AS m (hostname, phase, generation, install_token, install_started_at, installed_at,
                install_count, last_dhcp_at, last_dhcp_address, last_dhcp_mac, last_boot_file, last_boot_file_at,
                last_config, last_config_at, updated_by, updated_at)
            VALUES (\(record.hostname.lowercased()), \(record.phase.rawValue), \(Int64(record.generation)),
                \(record.installToken), \(record.installStartedAt), \(record.installedAt),
                \(Int64(record.installCount)), \(record.lastDHCPAt), \(record.lastDHCPAddress), \(record.lastDHCPMAC),
                \(record.lastBootFile), \(record.lastBootFileAt), \(record.lastConfig), \(record.lastConfigAt),
                \(appliance), now())
            ON CONFLICT (hostname) DO UPDATE SET
                phase = CASE WHEN \(unescaped: phaseIsNewer) THEN excluded.phase ELSE m.phase END,
                install_token = CASE WHEN \(unescaped: phaseIsNewer) THEN excluded.install_token
                    ELSE m.install_token END,
                install_started_at = CASE WHEN \(unescaped: phaseIsNewer) THEN excluded.install_started_at
                    ELSE m.install_started_at END,
                installed_at = CASE WHEN \(unescaped: phaseIsNewer) THEN excluded.installed_at ELSE m.installed_at END,
                install_count = CASE WHEN \(unescaped: phaseIsNewer) THEN excluded.install_count
                    ELSE m.install_count END,
                generation = greatest(m.generation, excluded.generation),
                last_dhcp_at = CASE WHEN \(unescaped: newer("last_dhcp_at")) THEN excluded.last_dhcp_at
                    ELSE m.last_dhcp_at END,
                last_dhcp_address = CASE WHEN \(unescaped: newer("last_dhcp_at")) THEN excluded.last_dhcp_address
                    ELSE m.last_dhcp_address END,
                last_dhcp_mac = CASE WHEN \(unescaped: newer("last_dhcp_at")) THEN excluded.last_dhcp_mac
                    ELSE m.last_dhcp_mac END,
                last_boot_file = CASE WHEN \(unescaped: newer("last_boot_file_at")) THEN excluded.last_boot_file
                    ELSE m.last_boot_file END,
                last_boot_file_at = greatest(m.last_boot_file_at, excluded.last_boot_file_at),
                last_config = CASE WHEN \(unescaped: newer("last_config_at")) THEN excluded.last_config
                    ELSE m.last_config END,
                last_config_at = greatest(m.last_config_at, excluded.last_config_at),
                updated_by = excluded.updated_by, updated_at = now()
            RETURNING \(unescaped: columns)
            """
    }

    /// Whether the written `column` (a time) is newer than the stored one.
    private static func newer(_ column: String) -> String {
        "coalesce(excluded.\(column), -1) >= coalesce(m.\(column), -1)"
    }

    /// A row of `columns` as a record; `nil` when its phase is unknown to this build.
    static func record(from row: PostgresRow) throws -> MachineLifecycleRecord? {
        let (
            hostname, phase, generation, token, startedAt, installedAt, count, dhcpAt, dhcpAddress, dhcpMAC, bootFile,
            bootFileAt, config, configAt
        ) = try row.decode(
            (
                String, String, Int64, String?, Int64?, Int64?, Int32, Int64?, String?, String?, String?, Int64?,
                String?, Int64?
            ).self)
        guard let phase = InstallPhase(rawValue: phase) else { return nil }
        var record = MachineLifecycleRecord(hostname: hostname, token: token ?? "")
        record.installToken = token
        record.phase = phase
        record.generation = Int(generation)
        record.installStartedAt = startedAt
        record.installedAt = installedAt
        record.installCount = Int(count)
        record.lastDHCPAt = dhcpAt
        record.lastDHCPAddress = dhcpAddress
        record.lastDHCPMAC = dhcpMAC
        record.lastBootFile = bootFile
        record.lastBootFileAt = bootFileAt
        record.lastConfig = config
        record.lastConfigAt = configAt
        return record
    }
}
