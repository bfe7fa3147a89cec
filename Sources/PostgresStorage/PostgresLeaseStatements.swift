import DHCPCore
import Inventory
import NIOCore
import PostgresNIO

/// The statements that carry out lease changes, prepared once per connection (PostgresNIO prepares a
/// `PostgresPreparedStatement` the first time a connection runs it). Parsing and planning these statements anew
/// for every change cost the server more than running them.
///
/// Claims answer one row: 1 when the address's row is now the client's, 0 when another client holds it.
enum PostgresLeaseStatements {
    /// The values every claim binds, in order: $1 address, $2 MAC, $3 state, $4 expiry, $5 client id,
    /// $6 host name, $7 appliance, $8 now.
    static func claimBindings(_ lease: Lease, appliance: String, now: Int64) -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 8)
        bindings.append(lease.address.description)
        bindings.append(lease.mac.description)
        bindings.append(lease.state.rawValue)
        bindings.append(lease.expiry)
        bindings.append(lease.clientIdentifier.map { ByteBuffer(bytes: $0) })
        bindings.append(lease.hostname)
        bindings.append(appliance)
        bindings.append(now)
        return bindings
    }

    static let claimTypes: [PostgresDataType] = [.text, .text, .text, .int8, .bytea, .text, .text, .int8]

    /// A statement whose one row is a count: whether it took effect.
    protocol CountingStatement: PostgresPreparedStatement where Row == Int64 {}

    /// A claim of the lease's address, bound as `claimBindings` says.
    protocol ClaimStatement: CountingStatement {
        var lease: Lease { get }
        var appliance: String { get }
        var now: Int64 { get }
    }

    /// Takes the row unless another client holds it unexpired; `sameClientMay` says what of the same client's row
    /// it may replace.
    static func claim(sameClientMay: String, ifAlso condition: String = "true") -> String {
        """
        INSERT INTO lease AS l (address, mac, state, expiry, client_id, hostname, appliance, updated_at)
        SELECT $1::inet, $2::macaddr, $3, $4, $5, $6, $7, now()
        WHERE \(condition)
        ON CONFLICT (address) DO UPDATE SET mac = excluded.mac, state = excluded.state, expiry = excluded.expiry,
            client_id = excluded.client_id, hostname = excluded.hostname, appliance = excluded.appliance,
            updated_at = now()
        WHERE l.expiry <= $8 OR (l.mac = excluded.mac AND \(sameClientMay))
        RETURNING 1
        """
    }

    /// An offer's hold: renews only an offer to the same client (its bound lease stays bound), and is refused
    /// while the client holds a running bound lease on another address.
    struct Hold: ClaimStatement {
        static let name = "rackboot_hold_v1"
        static let sql = """
            WITH claimed AS (
                \(claim(
                    sameClientMay: "l.state = 'offered'",
                    ifAlso: """
                        NOT EXISTS (SELECT 1 FROM lease WHERE mac = $2::macaddr AND address <> $1::inet
                            AND state = 'bound' AND expiry > $8)
                        """))
            )
            SELECT count(*) FROM claimed
            """
        let lease: Lease
        let appliance: String
        let now: Int64
    }

    /// A bind: takes the client's offer or bound lease; the client's other offers and bound leases go (it holds
    /// one address), and so does any memory of this address.
    struct Bind: ClaimStatement {
        static let name = "rackboot_bind_v1"
        static let sql = """
            WITH claimed AS (
                \(claim(sameClientMay: "l.state <> 'quarantined'"))
            ), moved AS (
                DELETE FROM lease
                WHERE mac = $2::macaddr AND address <> $1::inet AND state <> 'quarantined'
                    AND EXISTS (SELECT 1 FROM claimed)
            ), forgotten AS (
                DELETE FROM previous_address WHERE address = $1::inet AND EXISTS (SELECT 1 FROM claimed)
            )
            SELECT count(*) FROM claimed
            """
        let lease: Lease
        let appliance: String
        let now: Int64
    }

    /// A decline's quarantine of the client's own address; the address's memory goes.
    struct Quarantine: ClaimStatement {
        static let name = "rackboot_quarantine_v1"
        static let sql = """
            WITH claimed AS (
                \(claim(sameClientMay: "l.state <> 'quarantined'"))
            ), forgotten AS (
                DELETE FROM previous_address WHERE address = $1::inet AND EXISTS (SELECT 1 FROM claimed)
            )
            SELECT count(*) FROM claimed
            """
        let lease: Lease
        let appliance: String
        let now: Int64
    }

    /// A release: the bound lease goes, remembered as the client's previous address from its expiry (the engine
    /// sets that to the release time). Answers 1.
    struct Release: CountingStatement {
        static let name = "rackboot_release_v1"
        static let sql = """
            WITH released AS (
                DELETE FROM lease WHERE address = $1::inet AND mac = $2::macaddr AND state = 'bound'
            ), remembered AS (
                INSERT INTO previous_address (address, mac, since) VALUES ($1::inet, $2::macaddr, $3)
                ON CONFLICT (address) DO UPDATE SET mac = excluded.mac, since = excluded.since
            )
            SELECT 1::bigint
            """
        static let bindingDataTypes: [PostgresDataType] = [.text, .text, .int8]
        let lease: Lease
        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 3)
            bindings.append(lease.address.description)
            bindings.append(lease.mac.description)
            bindings.append(lease.expiry)
            return bindings
        }
    }

    /// The client took another appliance's offer: this appliance's hold goes, if it is still an offer to that
    /// client. Answers 1.
    struct ReleaseHold: CountingStatement {
        static let name = "rackboot_release_hold_v1"
        static let sql = """
            WITH released AS (
                DELETE FROM lease WHERE address = $1::inet AND mac = $2::macaddr AND state = 'offered'
            )
            SELECT 1::bigint
            """
        static let bindingDataTypes: [PostgresDataType] = [.text, .text]
        let lease: Lease
        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 2)
            bindings.append(lease.address.description)
            bindings.append(lease.mac.description)
            return bindings
        }
    }

    /// Runs the statement of `change`; true when it took effect.
    static func run(
        _ change: LeaseChange, appliance: String, now: Int64, on connection: PostgresConnection, logger: Logger
    ) async throws -> Bool {
        switch change {
        case .hold(let lease):
            return try await first(
                connection.execute(Hold(lease: lease, appliance: appliance, now: now), logger: logger))
        case .bind(let lease):
            return try await first(
                connection.execute(Bind(lease: lease, appliance: appliance, now: now), logger: logger))
        case .quarantine(let lease):
            return try await first(
                connection.execute(Quarantine(lease: lease, appliance: appliance, now: now), logger: logger))
        case .release(let lease):
            return try await first(connection.execute(Release(lease: lease), logger: logger))
        case .releaseHold(let lease):
            return try await first(connection.execute(ReleaseHold(lease: lease), logger: logger))
        }
    }

    /// Whether the statement's one row says it took effect.
    private static func first<Rows: AsyncSequence>(_ rows: Rows) async throws -> Bool where Rows.Element == Int64 {
        var taken = false
        for try await count in rows { taken = count != 0 }
        return taken
    }
}

extension PostgresLeaseStatements.CountingStatement {
    func decodeRow(_ row: PostgresRow) throws -> Int64 { try row.decode(Int64.self) }
}

extension PostgresLeaseStatements.ClaimStatement {
    static var bindingDataTypes: [PostgresDataType] { PostgresLeaseStatements.claimTypes }

    func makeBindings() throws -> PostgresBindings {
        PostgresLeaseStatements.claimBindings(lease, appliance: appliance, now: now)
    }
}
