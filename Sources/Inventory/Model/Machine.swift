/// A validated machine of the inventory, as DHCP and TFTP see it.
public struct Machine: Sendable, Hashable {
    public var hostname: String
    public var macs: [MACAddress]
    public var ip: IPv4Address?
    public var templateName: String?
    public var state: NetbootState
    /// Per-machine variables (template defaults not included).
    public var variables: [String: String]
    /// The profile's file name, for logs (`PROFILE=` in the journal).
    public var profileFile: String
    /// The loader family per firmware where it is not `boot.files`' (from `loader:` in the template or profile).
    public var loaders = LoaderChoice.default

    /// Whether `client` is this machine: its fixed address, or an address DHCP leased to one of its MACs (answer
    /// files and the install callback are only this machine's, docs/protocol.md, "Answer files and who may read them").
    public func isOwnAddress(_ client: IPv4Address, macAtClient: MACAddress?) -> Bool {
        Self.isOwnAddress(client, macAtClient: macAtClient, fixedIP: ip, macs: macs)
    }

    static func isOwnAddress(
        _ client: IPv4Address, macAtClient: MACAddress?, fixedIP: IPv4Address?, macs: [MACAddress]
    ) -> Bool {
        client == fixedIP || macAtClient.map(macs.contains) == true
    }
}
