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
}
