import Inventory
import PostgresStorage
import Testing

@testable import Appliance

/// `leases:`: SQLite by default; PostgreSQL by URL (libpq's form, a socket folder as `host=`) or by socket, user and
/// database; every mistake reported at its line.
@Suite struct LeaseStoreConfigTests {
    private func parse(_ leases: String?) -> (config: ApplianceConfig?, errors: [String], warnings: [String]) {
        let text = "boot:\n  next_server: 10.20.0.2\n" + (leases.map { "leases:\n" + $0 } ?? "")
        let collector = DiagnosticCollector()
        let config = ConfigParser.parse(
            YAMLSource(path: "rackboot.yaml", text: text), resolvePath: { $0.hasPrefix("/") ? $0 : "/etc/rb/" + $0 },
            collector: collector)
        return (
            config, collector.diagnostics.filter { $0.severity == .error }.map(\.description),
            collector.diagnostics.filter { $0.severity == .warning }.map(\.description)
        )
    }

    @Test func sqliteByDefault() throws {
        let config = try #require(parse(nil).config)
        #expect(config.leases.postgres == nil)
        #expect(try #require(parse("  backend: sqlite\n").config).leases.postgres == nil)
    }

    @Test func aURLWithASocketFolder() throws {
        let text = """
              backend: postgresql
              appliance: rack-a
              postgresql:
                url: postgresql://rackboot@localhost/rackboot?host=/run/postgresql
                password_file: db-password
                timeout: 3s

            """
        let parsed = parse(text)
        let config = try #require(parsed.config, "\(parsed.errors)")
        let endpoint = try #require(config.leases.postgres)
        #expect(endpoint.address == .socket(path: "/run/postgresql/.s.PGSQL.5432"))
        #expect(endpoint.user == "rackboot" && endpoint.database == "rackboot" && endpoint.tls == .disable)
        #expect(config.leases.applianceName == "rack-a")
        #expect(config.leases.passwordFile == "/etc/rb/db-password")
        #expect(config.leases.timeout == 3)
    }

    @Test func aSocketWithUserAndDatabase() throws {
        let text = """
              backend: postgresql
              postgresql: {socket: /run/postgresql, user: kea, database: leases}

            """
        let endpoint = try #require(parse(text).config?.leases.postgres)
        #expect(endpoint.address == .socket(path: "/run/postgresql/.s.PGSQL.5432"))
        #expect(endpoint.user == "kea" && endpoint.database == "leases")
    }

    @Test func mistakesNameTheirLine() {
        let noSection = parse("  backend: postgresql\n")
        #expect(noSection.config == nil)
        #expect(noSection.errors.contains { $0.contains("postgresql") }, "\(noSection.errors)")
        let both = parse(
            "  backend: postgresql\n  postgresql:\n    url: postgresql://a@h/d\n    socket: /run/postgresql\n")
        #expect(both.errors.contains { $0.hasPrefix("rackboot.yaml:6:") && $0.contains("not both") }, "\(both.errors)")
        let badURL = parse("  backend: postgresql\n  postgresql:\n    url: mysql://a@h/d\n")
        #expect(badURL.errors.contains { $0.hasPrefix("rackboot.yaml:6:") && $0.contains("postgresql://") })
        let unused = parse("  postgresql:\n    url: postgresql://a@h/d\n")
        #expect(unused.errors.contains { $0.contains("backend is sqlite") }, "\(unused.errors)")
        let noUser = parse("  backend: postgresql\n  postgresql:\n    socket: /run/postgresql\n    database: d\n")
        #expect(noUser.errors.contains { $0.contains("user") }, "\(noUser.errors)")
        let tlsOnSocket = parse(
            "  backend: postgresql\n  postgresql: {socket: /s, user: u, database: d, tls: require}\n")
        #expect(tlsOnSocket.errors.contains { $0.contains("no TLS") }, "\(tlsOnSocket.errors)")
    }

    @Test func aPasswordInTheURLIsWarnedAbout() throws {
        let parsed = parse("  backend: postgresql\n  postgresql:\n    url: postgresql://a:secret@db.example/d\n")
        #expect(try #require(parsed.config).leases.postgres?.password == "secret")
        #expect(parsed.warnings.contains { $0.contains("password_file") }, "\(parsed.warnings)")
    }
}

/// The connection URL, as libpq and Kea's documentation write it.
@Suite struct PostgresEndpointURLTests {
    @Test func tcpWithPortAndTLS() throws {
        let endpoint = try PostgresEndpoint(url: "postgres://rack%40boot:p%2Fw@db.example:6432/leases?sslmode=require")
        #expect(endpoint.address == .tcp(host: "db.example", port: 6432))
        #expect(endpoint.user == "rack@boot" && endpoint.password == "p/w" && endpoint.database == "leases")
        #expect(endpoint.tls == .require)
        #expect(endpoint.description == "postgresql://rack@boot@db.example:6432/leases", "no password in messages")
    }

    @Test func tlsIsPreferredUnlessSaid() throws {
        #expect(try PostgresEndpoint(url: "postgresql://u@h/d").tls == .prefer)
        #expect(try PostgresEndpoint(url: "postgresql://u@h/d?sslmode=verify-full").tls == .verifyFull)
        #expect(try PostgresEndpoint(url: "postgresql://u@h/d?sslmode=disable").tls == .disable)
        #expect(try PostgresEndpoint(url: "postgresql://u@h/d?sslrootcert=/etc/ca.pem").caFile == "/etc/ca.pem")
    }

    @Test func aSocketFolderWithItsPort() throws {
        let endpoint = try PostgresEndpoint(url: "postgresql://u@localhost:5433/d?host=/var/run/postgresql/")
        #expect(endpoint.address == .socket(path: "/var/run/postgresql/.s.PGSQL.5433"))
    }

    @Test(arguments: [
        "http://u@h/d", "postgresql://h/d", "postgresql://u@h/", "postgresql://u@h/d?sslmode=sometimes",
        "postgresql://u@h/d?options=-c", "postgresql://u@/d",
    ])
    func refused(_ text: String) {
        #expect(throws: PostgresEndpoint.URLProblem.self) { try PostgresEndpoint(url: text) }
    }
}
