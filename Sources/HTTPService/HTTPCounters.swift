import Synchronization

/// What the HTTP service counts since it started, for the status line and tests.
public final class HTTPCounters: Sendable {
    private let served = Atomic<Int>(0)
    private let refused = Atomic<Int>(0)
    private let connectionsRejected = Atomic<Int>(0)
    private let open = Atomic<Int>(0)

    public init() {}

    /// Responses with a 2xx status.
    public var responsesServed: Int { served.load(ordering: .relaxed) }
    /// Requests answered 4xx or 5xx, malformed requests the decoder refused, and connections closed at the limit.
    public var requestsRefused: Int { refused.load(ordering: .relaxed) }
    /// Connections closed at once because `maxConnections` were open.
    public var connectionsOverLimit: Int { connectionsRejected.load(ordering: .relaxed) }
    /// Connections open now.
    public var openConnections: Int { open.load(ordering: .relaxed) }

    func countServed() { served.add(1, ordering: .relaxed) }
    func countRefused() { refused.add(1, ordering: .relaxed) }
    /// Counts one connection closed at the limit; returns how many so far.
    func countConnectionOverLimit() -> Int { connectionsRejected.add(1, ordering: .relaxed).newValue }

    /// Takes a connection slot; false when `limit` are taken (the slot is then not held).
    func openConnection(limit: Int) -> Bool {
        let now = open.add(1, ordering: .relaxed).newValue
        if now > limit {
            open.subtract(1, ordering: .relaxed)
            return false
        }
        return true
    }

    func closeConnection() { open.subtract(1, ordering: .relaxed) }
}
