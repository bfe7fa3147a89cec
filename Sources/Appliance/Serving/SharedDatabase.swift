import Foundation
import Logging
import NIOCore
import PostgresStorage

/// The PostgreSQL database that several appliances share (`leases.backend: postgresql`), opened once per process:
/// the connection settings with the password read from its file, this appliance's name, and the schema brought up
/// to date before anything reads it.
struct SharedDatabase: Sendable {
    let endpoint: PostgresEndpoint
    let applianceName: String
    let timeout: TimeAmount

    /// Cannot be opened: names what to fix.
    struct OpenError: Error, CustomStringConvertible {
        var description: String
    }

    /// `nil` when the configuration keeps leases in SQLite.
    init?(_ config: ApplianceConfig) throws {
        guard var endpoint = config.leases.postgres else { return nil }
        if let file = config.leases.passwordFile {
            do {
                let text = try String(contentsOfFile: file, encoding: .utf8)
                endpoint.password = text.trimmingCharacters(in: .newlines)
            } catch {
                throw OpenError(description: "cannot read leases.postgresql.password_file \(file): \(error)")
            }
        }
        self.endpoint = endpoint
        applianceName = config.leases.applianceName ?? Self.hostName()
        timeout = .seconds(Int64(config.leases.timeout))
    }

    /// A new connection (each user of the database gets its own: the lease-commit thread, the machine book).
    func session(logger: Logger) throws -> PostgresSession {
        try PostgresSession(endpoint: endpoint, timeout: timeout, logger: logger)
    }

    /// Brings the schema to this build's version and records this appliance as started; for `serve`. Returns the
    /// appliance's ordinal (`PostgresAppliances.register`).
    func prepare(logger: Logger) throws -> Int {
        let session = try session(logger: logger)
        defer { session.close() }
        do {
            let found = try PostgresSchema.migrate(session, logger: logger)
            if found < PostgresSchema.currentVersion {
                logger.notice(
                    found == 0 ? "shared database schema created" : "shared database schema upgraded",
                    metadata: [
                        "from": "\(found)", "to": "\(PostgresSchema.currentVersion)", "database": "\(endpoint)",
                    ])
            }
            return try PostgresAppliances.register(applianceName, version: RackbootVersion.string, session: session)
        } catch {
            throw OpenError(description: "shared database \(endpoint): \(PostgresErrorText.describe(error))")
        }
    }

    static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return "rackboot" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
