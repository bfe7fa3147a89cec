import DHCPCore
import DHCPService
import Foundation
import Inventory
import Logging
import PostgresStorage

/// What `rackboot leases` shows: the stored leases of the configured state directory, as a table or as JSON.
public struct LeaseListing: Sendable {
    /// One lease as listed; the JSON field names are stable for scripts.
    public struct Entry: Codable, Sendable, Hashable {
        public var address: String
        public var mac: String
        public var state: String
        /// Seconds since the epoch.
        public var expiry: Int64
        /// The same time in ISO 8601, UTC.
        public var expires: String
        public var hostname: String?
        /// Option 61 in hex, when the client sent one.
        public var clientID: String?

        enum CodingKeys: String, CodingKey {
            case address, mac, state, expiry, expires, hostname
            case clientID = "client_id"
        }
    }

    public let entries: [Entry]
    /// With a shared database: the appliances that use it (`nil` with SQLite).
    public private(set) var appliances: [PostgresAppliances.Entry]?

    /// Reads the shared database when the configuration names one, else `<state_directory>/leases.sqlite`
    /// without creating it (no file yet means no leases).
    public init(config: ApplianceConfig) throws {
        let leases: [Lease]
        if let shared = try SharedDatabase(config) {
            let logger = Logger(label: "rackboot")
            let store = PostgresLeaseStore(
                session: try shared.session(logger: logger), applianceName: shared.applianceName, logger: logger)
            leases = try store.loadAll()
            appliances = try PostgresAppliances.all(session: store.session)
        } else {
            let path = DHCPSetup.leaseDatabasePath(config)
            guard FileManager.default.fileExists(atPath: path) else {
                entries = []
                return
            }
            leases = try SQLiteLeaseStore(readingExisting: path).loadAll()
        }
        let formatter = ISO8601DateFormatter()
        entries = leases.map { lease in
            Entry(
                address: lease.address.description, mac: lease.mac.description, state: lease.state.rawValue,
                expiry: lease.expiry,
                expires: formatter.string(from: Date(timeIntervalSince1970: TimeInterval(lease.expiry))),
                hostname: lease.hostname,
                clientID: lease.clientIdentifier.map { $0.map { String(format: "%02x", $0) }.joined() })
        }
    }

    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(entries), as: UTF8.self)
    }

    /// One line per appliance sharing the database: its name, version, and how long ago it was last heard of
    /// (each renews that every 10 s while it runs).
    public func applianceLines(now: Int64) -> [String] {
        (appliances ?? []).map { appliance in
            let silent = max(0, now - appliance.lastSeen)
            let state = silent <= 30 ? "running" : "silent"
            return "appliance \(appliance.name) (\(appliance.version)): \(state), last heard of \(silent) s ago"
        }
    }

    /// Aligned columns; leases already past their expiry are marked, not hidden.
    public func table(now: Int64) -> String {
        let header = ["ADDRESS", "MAC", "STATE", "EXPIRES (UTC)", "HOSTNAME"]
        let rows = entries.map { entry in
            [
                entry.address, entry.mac, entry.expiry <= now ? "expired" : entry.state, entry.expires,
                entry.hostname ?? "-",
            ]
        }
        return TextTable.render(header: header, rows: rows)
    }
}
