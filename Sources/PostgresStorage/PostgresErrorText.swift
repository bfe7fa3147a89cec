import PostgresNIO

/// PostgresNIO's errors describe themselves as one generic line on purpose (so that nothing sensitive reaches an
/// end user by accident); an operator's log needs what went wrong. This says it without the query or its values:
/// the server's SQLSTATE and message, or the connection error.
public enum PostgresErrorText {
    public static func describe(_ error: any Error) -> String {
        switch error {
        case let error as PSQLError:
            if let info = error.serverInfo {
                let state = info[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
                return "server: \(info[.message] ?? "error")\(state)"
            }
            if let underlying = error.underlying { return "\(error.code): \(describe(underlying))" }
            return "\(error.code)"
        case let error as PostgresTransactionError:
            return [error.beginError, error.closureError, error.commitError].compactMap { $0 }.first.map(describe)
                ?? "transaction failed"
        default:
            return "\(error)"
        }
    }

    /// SQLSTATEs worth one more try of the same transaction: a deadlock between two appliances' batches, a
    /// serialization failure.
    public static func isTransient(_ error: any Error) -> Bool {
        guard let error = error as? PSQLError, let state = error.serverInfo?[.sqlState] else { return false }
        return state == "40P01" || state == "40001"
    }
}
