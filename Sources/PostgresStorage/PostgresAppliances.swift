import Logging
import NIOCore
import PostgresNIO

/// The `appliance` table: which appliances use the shared database, since when, and when each was last heard of
/// (it renews its row with every status update), so that `rackboot leases` and the status line can name them.
public enum PostgresAppliances {
    /// One appliance as the table has it; times in seconds since the epoch.
    public struct Entry: Sendable, Hashable {
        public var name: String
        public var startedAt: Int64
        public var lastSeen: Int64
        public var version: String
    }

    /// Records `name` as started now; returns its ordinal: 0 for the first appliance that ever used the database,
    /// 1 for the next, and so on, kept across restarts.
    @discardableResult
    public static func register(_ name: String, version: String, session: PostgresSession) throws -> Int {
        let logger = Logger(label: "rackboot.postgres")
        let rows = try session.run { connection in
            connection.rows(
                """
                INSERT INTO appliance (name, started_at, last_seen, version) VALUES (\(name), now(), now(), \(version))
                ON CONFLICT (name) DO UPDATE SET started_at = now(), last_seen = now(), version = excluded.version
                RETURNING ordinal
                """, logger: logger)
        }
        return Int(try rows.first?.decode(Int32.self) ?? 0)
    }

    /// Renews `name`'s last-seen time.
    public static func heartbeat(_ name: String, session: PostgresSession) throws {
        let logger = Logger(label: "rackboot.postgres")
        _ = try session.run { connection in
            connection.query("UPDATE appliance SET last_seen = now() WHERE name = \(name)", logger: logger)
        }
    }

    /// Every appliance, by name.
    public static func all(session: PostgresSession) throws -> [Entry] {
        let logger = Logger(label: "rackboot.postgres")
        return try session.run { connection in
            connection.rows(
                """
                SELECT name, extract(epoch FROM started_at)::bigint, extract(epoch FROM last_seen)::bigint, version
                FROM appliance ORDER BY name
                """, logger: logger)
        }.map { row in
            let (name, started, seen, version) = try row.decode((String, Int64, Int64, String).self)
            return Entry(name: name, startedAt: started, lastSeen: seen, version: version)
        }
    }
}
