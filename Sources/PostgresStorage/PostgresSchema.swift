import Logging
import NIOCore
import PostgresNIO

/// The shared database's tables, created and upgraded by Rackboot itself: `rackboot_schema` records each version
/// applied, every appliance applies the versions it knows and the database lacks when it starts, and two appliances
/// starting together take turns (a transaction-scoped advisory lock). An appliance older than the database refuses
/// to start rather than write rows it does not understand.
public enum PostgresSchema {
    /// One schema version: the statements that take the database from the version before to this one.
    struct Version: Sendable {
        let number: Int
        let name: String
        let statements: [String]
    }

    /// Every version, oldest first. Never edit one that shipped: add the next.
    static let versions: [Version] = [
        Version(
            number: 1, name: "leases, previous addresses, machines, appliances",
            statements: [
                // One row per address: the primary key is what makes two appliances unable to give one address
                // to two clients. Offers are rows too (`offered`), so an address one appliance offered is not
                // offered by another while the hold lasts.
                """
                CREATE TABLE lease (
                    address inet PRIMARY KEY,
                    mac macaddr NOT NULL,
                    state text NOT NULL CHECK (state IN ('offered', 'bound', 'quarantined')),
                    expiry bigint NOT NULL,
                    client_id bytea,
                    hostname text,
                    appliance text NOT NULL,
                    updated_at timestamptz NOT NULL DEFAULT now()
                )
                """,
                "CREATE INDEX lease_mac ON lease (mac)",
                "CREATE INDEX lease_expiry ON lease (expiry)",
                """
                CREATE TABLE previous_address (
                    address inet PRIMARY KEY,
                    mac macaddr NOT NULL,
                    since bigint NOT NULL
                )
                """,
                "CREATE INDEX previous_address_mac ON previous_address (mac)",
                // The install lifecycle of each machine. `generation` counts phase changes (a token issued, an
                // install started or finished, a reinstall asked for), so an appliance that saves what it observed
                // never overwrites a phase another appliance changed since it last read the row.
                """
                CREATE TABLE machine (
                    hostname text PRIMARY KEY,
                    phase text NOT NULL,
                    generation bigint NOT NULL DEFAULT 0,
                    install_token text,
                    install_started_at bigint,
                    installed_at bigint,
                    install_count integer NOT NULL DEFAULT 0,
                    last_dhcp_at bigint,
                    last_dhcp_address text,
                    last_dhcp_mac text,
                    last_boot_file text,
                    last_boot_file_at bigint,
                    last_config text,
                    last_config_at bigint,
                    updated_by text,
                    updated_at timestamptz NOT NULL DEFAULT now()
                )
                """,
                // Which appliances use the database, and when each was last heard of.
                """
                CREATE TABLE appliance (
                    name text PRIMARY KEY,
                    ordinal integer GENERATED ALWAYS AS IDENTITY (MINVALUE 0 START WITH 0) UNIQUE,
                    started_at timestamptz NOT NULL,
                    last_seen timestamptz NOT NULL,
                    version text NOT NULL
                )
                """,
            ])
    ]

    /// The newest version this build knows.
    public static var currentVersion: Int { versions.last?.number ?? 0 }

    /// The database is newer than this build.
    public struct TooNew: Error, CustomStringConvertible {
        public var found: Int
        public var known: Int
        public var description: String {
            "the database's schema is version \(found), newer than this Rackboot knows (\(known)): upgrade Rackboot"
        }
    }

    /// Brings the database to `currentVersion`; returns the version it had before (0: empty).
    @discardableResult
    public static func migrate(_ session: PostgresSession, logger: Logger) throws -> Int {
        try session.run { connection in
            connection.transaction(logger: logger) {
                connection.query("SELECT pg_advisory_xact_lock(7239115846221)", logger: logger).flatMap { _ in
                    connection.query(
                        """
                        CREATE TABLE IF NOT EXISTS rackboot_schema (
                            version integer PRIMARY KEY,
                            name text NOT NULL,
                            applied_at timestamptz NOT NULL DEFAULT now()
                        )
                        """, logger: logger)
                }.flatMap { _ in
                    connection.rows("SELECT coalesce(max(version), 0)::bigint FROM rackboot_schema", logger: logger)
                }.flatMapThrowing { rows -> Int in
                    Int(try rows.first?.decode(Int64.self) ?? 0)
                }.flatMap { found -> EventLoopFuture<Int> in
                    guard found <= currentVersion else {
                        return connection.eventLoop.makeFailedFuture(TooNew(found: found, known: currentVersion))
                    }
                    var step = connection.eventLoop.makeSucceededVoidFuture()
                    for version in versions where version.number > found {
                        for statement in version.statements {
                            step = step.flatMap { _ in
                                connection.query(PostgresQuery(unsafeSQL: statement), logger: logger).map { _ in }
                            }
                        }
                        step = step.flatMap { _ in
                            connection.query(
                                "INSERT INTO rackboot_schema (version, name) VALUES (\(version.number), \(version.name))",
                                logger: logger
                            ).map { _ in }
                        }
                    }
                    return step.map { found }
                }
            }
        }
    }
}

extension PostgresConnection {
    /// A transaction that did not commit: the server answered COMMIT with ROLLBACK (a statement in it failed).
    struct RolledBack: Error, CustomStringConvertible {
        var description: String { "the transaction was rolled back" }
    }

    /// Runs `body` between BEGIN and COMMIT; a failure in `body` rolls back and is passed on.
    func transaction<T: Sendable>(
        logger: Logger, _ body: @escaping @Sendable () -> EventLoopFuture<T>
    ) -> EventLoopFuture<T> {
        query("BEGIN", logger: logger).flatMap { _ in
            body().flatMap { value in
                self.query("COMMIT", logger: logger).flatMapThrowing { result in
                    guard result.metadata.command == "COMMIT" else { throw RolledBack() }
                    return value
                }
            }.flatMapError { error in
                // The error that ended the transaction is the one to report, whatever ROLLBACK answers.
                self.query("ROLLBACK", logger: logger).map { _ in }.recover { _ in }.flatMapThrowing { throw error }
            }
        }
    }
}
