import Inventory

/// Where a request came from and on what, as the server adapter observed it.
public struct DHCPArrival: Sendable, Hashable {
    /// The interface it arrived on, matched against `DHCPServedSubnet.interface`; `nil` when unknown.
    public var interface: String?
    /// Rackboot's own address on that interface: the server identifier (option 54) of its replies.
    public var serverAddress: IPv4Address
    public var sourceAddress: IPv4Address
    public var sourcePort: Int
    /// Arrived on the PXE boot server port 4011 rather than 67.
    public var isBootServerPort: Bool

    public init(
        interface: String?, serverAddress: IPv4Address, sourceAddress: IPv4Address, sourcePort: Int,
        isBootServerPort: Bool = false
    ) {
        self.interface = interface
        self.serverAddress = serverAddress
        self.sourceAddress = sourceAddress
        self.sourcePort = sourcePort
        self.isBootServerPort = isBootServerPort
    }
}
