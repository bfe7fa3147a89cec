/// Namespace of the TFTP server (issue #3): the `Wire/` codec, the pure `Transfer/` state machine, the jailed
/// `Files/` root with the inventory's rendered files, and the SwiftNIO `Server/` adapter will live in this module.
///
/// Nothing is implemented yet: `rackboot serve` says so and exits instead of pretending to serve files.
public enum TFTP {
    /// Whether this build can serve TFTP. `false` until the TFTP issue lands.
    public static let isImplemented = false
}
