import Inventory

/// One address bound to one client. Times are seconds since the Unix epoch, passed in by the caller: leases
/// outlive the process, so they are kept in wall-clock time.
public struct Lease: Hashable, Sendable {
    public enum State: String, Hashable, Sendable {
        /// Offered in a DHCPOFFER, held for the client until `expiry`; never persisted.
        case offered
        /// Acknowledged: the client uses it until `expiry`.
        case bound
        /// Declined by a client because something else answers on it (RFC 2131 §4.3.3): kept out of the pool.
        case quarantined
    }

    public var address: IPv4Address
    public var mac: MACAddress
    public var state: State
    /// Seconds since the epoch.
    public var expiry: Int64
    /// Option 61, kept for the record (machines are matched by MAC).
    public var clientIdentifier: [UInt8]?
    /// The inventory host name, or option 12 for unknown machines.
    public var hostname: String?

    public init(
        address: IPv4Address, mac: MACAddress, state: State, expiry: Int64,
        clientIdentifier: [UInt8]? = nil, hostname: String? = nil
    ) {
        self.address = address
        self.mac = mac
        self.state = state
        self.expiry = expiry
        self.clientIdentifier = clientIdentifier
        self.hostname = hostname
    }

    public func isActive(at now: Int64) -> Bool { expiry > now }
}
