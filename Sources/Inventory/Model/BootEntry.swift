/// What one machine (at one of its MACs) is told to boot, ready for any config renderer.
public enum BootEntry: Sendable, Hashable {
    case localDisk
    case linux(LinuxBoot)
}

/// A Linux kernel boot with every variable already substituted.
public struct LinuxBoot: Sendable, Hashable {
    /// Menu title.
    public var title: String
    /// Path under the TFTP root.
    public var kernel: String
    /// Paths under the TFTP root, in load order.
    public var initrds: [String]
    public var commandLine: String
}
