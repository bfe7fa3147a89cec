import Inventory
import PostgresStorage

/// Where leases and machine state are kept (`leases:`): SQLite files in the state directory (the default), or a
/// PostgreSQL database that several appliances share.
public struct LeaseStoreSettings: Sendable {
    public enum Backend: Sendable {
        case sqlite
        case postgresql(PostgresEndpoint)
    }

    public var backend: Backend = .sqlite
    /// This appliance's name in the shared database (`appliance`); the host name when not set.
    public var applianceName: String?
    /// A file holding the database password (`postgresql.password_file`), read at start; never the password itself
    /// in the configuration.
    public var passwordFile: String?
    /// Seconds one database call may take before it counts as failed (`postgresql.timeout`).
    public var timeout = 5

    public init() {}

    /// The shared database, when the backend is PostgreSQL.
    public var postgres: PostgresEndpoint? {
        if case .postgresql(let endpoint) = backend { return endpoint }
        return nil
    }
}

/// Reads `leases:`.
enum LeaseStoreParser {
    /// `nil` when the section has errors.
    static func parse(
        _ reader: MappingReader, resolvePath: (String) -> String, collector: DiagnosticCollector
    ) -> LeaseStoreSettings? {
        guard
            let section = reader.mapping(
                "leases", describing: "'leases'", allowedKeys: ["backend", "postgresql", "appliance"])
        else { return LeaseStoreSettings() }
        let before = collector.diagnostics.count
        var settings = LeaseStoreSettings()
        let backend = section.choice("backend", among: ["sqlite", "postgresql"])
        let postgresql = section.mapping(
            "postgresql", describing: "'leases.postgresql'",
            allowedKeys: ["url", "socket", "user", "database", "password_file", "tls", "ca_file", "timeout"])
        if let name = section.string("appliance", trimmed: true) {
            if name.value.isEmpty || name.value.count > 64 || name.value.contains(where: \.isNewline) {
                collector.error("'appliance' must be a name of 1 to 64 characters", at: name.location)
            } else {
                settings.applianceName = name.value
            }
        }
        switch backend?.value {
        case "postgresql":
            guard let postgresql else {
                _ = section.node("postgresql", required: true)
                return nil
            }
            if let endpoint = parsePostgres(postgresql, resolvePath: resolvePath, collector: collector) {
                settings.backend = .postgresql(endpoint)
            }
            if let file = postgresql.string("password_file") { settings.passwordFile = resolvePath(file.value) }
            if let timeout = postgresql.duration("timeout", in: 1...300) { settings.timeout = timeout.value }
        default:
            if let postgresql {
                collector.error(
                    "'leases.postgresql' is set but the backend is sqlite; set backend: postgresql to use it",
                    at: postgresql.location)
            }
        }
        guard !collector.diagnostics[before...].contains(where: { $0.severity == .error }) else { return nil }
        return settings
    }

    /// `url:` alone, or `socket:` with `user:` and `database:`.
    private static func parsePostgres(
        _ section: MappingReader, resolvePath: (String) -> String, collector: DiagnosticCollector
    ) -> PostgresEndpoint? {
        let url = section.string("url", trimmed: true)
        let socket = section.string("socket", trimmed: true)
        let tls = section.choice("tls", among: PostgresEndpoint.TLSMode.allCases.map(\.rawValue))
        let caFile = section.string("ca_file").map { resolvePath($0.value) }
        var endpoint: PostgresEndpoint
        switch (url, socket) {
        case (let url?, nil):
            do {
                endpoint = try PostgresEndpoint(url: url.value)
            } catch {
                collector.error("leases.postgresql.url: \(error)", at: url.location)
                return nil
            }
            for key in ["user", "database"] {
                if let extra = section.string(key) {
                    collector.error("'\(key)' is part of the URL; remove it or use 'socket:'", at: extra.location)
                }
            }
            if endpoint.password != nil {
                collector.warning(
                    "the URL carries a password, readable by anyone who can read this file; prefer password_file",
                    at: url.location)
            }
        case (nil, let socket?):
            guard let user = section.string("user", required: true),
                let database = section.string("database", required: true)
            else { return nil }
            let path = resolvePath(socket.value)
            // A folder, as libpq's host= takes it, or the socket file itself.
            let file =
                path.split(separator: "/").last?.hasPrefix(".s.PGSQL.") == true
                ? path : PostgresEndpoint.socketPath(inFolder: path)
            endpoint = PostgresEndpoint(address: .socket(path: file), user: user.value, database: database.value)
            if let tls, tls.value != PostgresEndpoint.TLSMode.disable.rawValue {
                collector.error("a Unix socket carries no TLS; remove 'tls' or connect by URL", at: tls.location)
            }
        case (.some(let url), .some):
            collector.error("set either 'url' or 'socket', not both", at: url.location)
            return nil
        case (nil, nil):
            collector.error(
                "'leases.postgresql' needs 'url' (postgresql://user@host/database) or 'socket' with 'user' and "
                    + "'database'", at: section.location)
            return nil
        }
        if let tls, let mode = PostgresEndpoint.TLSMode(rawValue: tls.value), url != nil { endpoint.tls = mode }
        if let caFile { endpoint.caFile = caFile }
        return endpoint
    }
}
