import Inventory

/// The address a client held last, remembered after its lease was released or expired, so that the client gets it
/// back when it returns (as dnsmasq and Kea do) and other clients get it only once no address that nobody
/// remembers is left (docs/configuration.md, "Pool addresses").
public struct PreviousAddress: Hashable, Sendable {
    public var address: IPv4Address
    public var mac: MACAddress
    /// When the client stopped holding it (epoch seconds): the oldest memory is the first given to another client.
    public var since: Int64

    public init(address: IPv4Address, mac: MACAddress, since: Int64) {
        self.address = address
        self.mac = mac
        self.since = since
    }
}
