/// One machine as written in its profile file, with the position of every value for later cross-file checks.
public struct MachineProfile: Sendable {
    /// The file the profile came from.
    public var source: YAMLSource
    /// `nil` when missing or invalid (already reported).
    public var hostname: Located<String>?
    public var macs: [Located<MACAddress>]
    /// A fixed address (a DHCP reservation); `nil` means the machine takes one from a pool.
    public var ip: Located<IPv4Address>?
    /// The boot template's name; optional only for machines in state `local`.
    public var template: Located<String>?
    /// `nil` when missing or invalid (already reported).
    public var state: Located<NetbootState>?
    /// Per-machine variables for the template's command line, in file order.
    public var variables: [(name: Located<String>, value: Located<String>)]

    /// Overrides the template's `loader`.
    public var loader: Located<LoaderSpec>?

    /// The keys a profile file may hold.
    public static let keys = ["hostname", "macs", "ip", "template", "state", "variables", "loader"]
}
