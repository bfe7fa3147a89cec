import DHCPCore

/// A lease store operation that failed, naming the database file, so the log line alone tells an operator which
/// file system to look at (`/var/lib/rackboot/leases.sqlite: cannot commit 3 lease changes: SQLite error 13:
/// database or disk is full - while executing COMMIT TRANSACTION`).
public struct LeaseStoreError: Error, Sendable, CustomStringConvertible {
    /// What was attempted: `commit 3 lease changes`, `delete expired leases`.
    public var operation: String
    /// The database file.
    public var path: String
    /// The underlying error as text (SQLite's code and message).
    public var reason: String

    public init(operation: String, path: String, reason: String) {
        self.operation = operation
        self.path = path
        self.reason = reason
    }

    public var description: String { "\(path): cannot \(operation): \(reason)" }
}
