/// The transfers running at once, keyed by the client's transfer ID (its address and port), with the cap on how
/// many may run (`tftp.max_transfers`).
///
/// Pure bookkeeping: the adapter keeps one table behind a lock, asks `admit` for every RRQ and calls `finish` when a
/// transfer's channel closes. Generic over the key so it is tested without sockets.
public struct TFTPTransferTable<Client: Hashable & Sendable>: Sendable {
    /// Concurrent transfers allowed; at least 1.
    public let capacity: Int
    /// Clients with a transfer running.
    public private(set) var running: Set<Client> = []
    /// RRQs refused because the table was full, since the server started.
    public private(set) var refusedBusy = 0
    /// Repeated RRQs dropped because their client already had a transfer running.
    public private(set) var ignoredDuplicates = 0

    public init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Decides what to do with an RRQ from `client` and, for `.start`, takes a slot for it.
    public mutating func admit(_ client: Client) -> TFTPTransferAdmission {
        if running.contains(client) {
            ignoredDuplicates += 1
            return .duplicate
        }
        guard running.count < capacity else {
            refusedBusy += 1
            return .busy(message: "Server busy: \(running.count) transfers running, try again later")
        }
        running.insert(client)
        return .start
    }

    /// Frees `client`'s slot: its transfer ended, or could not start after all (file not found, no socket).
    public mutating func finish(_ client: Client) {
        running.remove(client)
    }
}
