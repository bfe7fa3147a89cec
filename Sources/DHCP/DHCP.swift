/// Namespace of the DHCP server (issue #4): the `Wire/` codec, the pure `Engine/`, the `Leases/` store and the
/// SwiftNIO `Server/` adapter will live in this module.
///
/// Nothing is implemented yet: `rackboot serve` says so and exits instead of pretending to answer DHCP.
public enum DHCP {
    /// Whether this build can answer DHCP. `false` until the DHCP issue lands.
    public static let isImplemented = false
}
