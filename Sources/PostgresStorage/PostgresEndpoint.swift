import Foundation

/// Where the shared PostgreSQL database is and how to log in: the configuration's `leases.postgresql` section,
/// given either as a connection URL (`postgresql://rackboot@db.example:5432/rackboot?sslmode=require`) or as a
/// Unix socket with a user and database name. Pure: reading a password file is the caller's business.
public struct PostgresEndpoint: Sendable, Hashable, CustomStringConvertible {
    public enum Address: Sendable, Hashable {
        case tcp(host: String, port: Int)
        /// The socket file itself (`/run/postgresql/.s.PGSQL.5432`).
        case socket(path: String)
    }

    /// libpq's `sslmode` values that make sense here: `disable`, `prefer`, `require` (TLS, certificate checked
    /// against the system's roots or `caFile`), and `verify-full`, which `require` already is.
    public enum TLSMode: String, Sendable, Hashable, CaseIterable {
        case disable, prefer, require
        case verifyFull = "verify-full"
    }

    public var address: Address
    public var user: String
    public var password: String?
    public var database: String
    public var tls: TLSMode
    /// PEM file of the certificate authorities to trust, instead of the system's.
    public var caFile: String?

    public init(
        address: Address, user: String, password: String? = nil, database: String, tls: TLSMode = .disable,
        caFile: String? = nil
    ) {
        self.address = address
        self.user = user
        self.password = password
        self.database = database
        self.tls = tls
        self.caFile = caFile
    }

    /// Where it connects, without the password: for logs and `rackboot check`.
    public var description: String {
        switch address {
        case .tcp(let host, let port): return "postgresql://\(user)@\(host):\(port)/\(database)"
        case .socket(let path): return "\(user)@\(path) (database \(database))"
        }
    }

    /// Why a connection URL cannot be used.
    public struct URLProblem: Error, Sendable, Hashable, CustomStringConvertible {
        public var description: String
    }

    /// Parses `postgresql://user[:password]@host[:port]/database[?sslmode=…&host=/socket/dir]`, the form libpq
    /// and Kea's documentation use (`postgres://` too). A `host` query parameter that is a path names the folder of
    /// the server's socket, as with libpq; the socket file is `.s.PGSQL.<port>` there.
    public init(url text: String) throws(URLProblem) {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            scheme == "postgresql" || scheme == "postgres"
        else { throw URLProblem(description: "'\(text)' is not a postgresql:// URL") }
        guard let user = components.user.flatMap({ $0.removingPercentEncoding }), !user.isEmpty else {
            throw URLProblem(description: "the URL names no user (postgresql://USER@host/database)")
        }
        let database = String(components.path.drop { $0 == "/" }).removingPercentEncoding ?? ""
        guard !database.isEmpty, !database.contains("/") else {
            throw URLProblem(description: "the URL names no database (postgresql://user@host/DATABASE)")
        }
        let port = components.port ?? 5432
        var tls = TLSMode.prefer
        var socketFolder: String?
        var caFile: String?
        for item in components.queryItems ?? [] {
            let value = item.value ?? ""
            switch item.name {
            case "sslmode":
                switch value {
                case "disable", "allow": tls = .disable
                case "prefer": tls = .prefer
                case "require", "verify-ca": tls = .require
                case "verify-full": tls = .verifyFull
                default:
                    throw URLProblem(
                        description: "sslmode '\(value)' is not one of disable, prefer, require, verify-full")
                }
            case "host" where value.hasPrefix("/"):
                socketFolder = value
            case "sslrootcert":
                caFile = value
            case "application_name", "connect_timeout":
                break
            default:
                throw URLProblem(description: "the URL parameter '\(item.name)' is not supported")
            }
        }
        let address: Address
        if let socketFolder {
            address = .socket(path: Self.socketPath(inFolder: socketFolder, port: port))
        } else if let host = components.host, !host.isEmpty {
            address = .tcp(host: host.removingPercentEncoding ?? host, port: port)
        } else {
            throw URLProblem(description: "the URL names no host (postgresql://user@HOST/database)")
        }
        self.init(
            address: address, user: user, password: components.password?.removingPercentEncoding,
            database: database, tls: socketFolder == nil ? tls : .disable, caFile: caFile)
    }

    /// PostgreSQL's socket file in `folder` for `port`, as libpq names it.
    public static func socketPath(inFolder folder: String, port: Int = 5432) -> String {
        (folder.hasSuffix("/") ? String(folder.dropLast()) : folder) + "/.s.PGSQL.\(port)"
    }
}
