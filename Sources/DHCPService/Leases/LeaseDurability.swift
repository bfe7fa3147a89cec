import DHCPCore

/// How far a committed lease is durable before its DHCPACK leaves (`dhcp.lease_sync`).
///
/// Both levels commit every lease before its ACK, so a killed or crashed process never loses an acknowledged
/// lease. They differ on a power loss or kernel crash:
/// - `full`: SQLite `synchronous = FULL`: each grouped commit waits for fsync, so even a power loss keeps every
///   acknowledged lease. The price is one fsync per commit, which bounds REQUEST→ACK latency from below
///   (bench/HISTORY.md, "fsync per commit").
/// - `normal`: `synchronous = NORMAL` in WAL mode: the commit is in the kernel's page cache when the ACK leaves, as
///   with Kea's memfile and dnsmasq's lease file, and reaches the disk at the next background checkpoint (about once
///   a second). A power loss can forget the last second of leases (clients then keep their address until renewal,
///   when the authoritative server NAKs them).
public enum LeaseDurability: String, Sendable, CaseIterable {
    case full
    case normal

    /// The SQLite pragma value.
    var synchronousPragma: String {
        switch self {
        case .full: return "FULL"
        case .normal: return "NORMAL"
        }
    }
}
