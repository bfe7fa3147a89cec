/// The boot loaders whose config files Rackboot renders, and the file names each one asks the TFTP server for.
public enum BootConfigFormat: String, Sendable, Hashable, CaseIterable {
    /// pxelinux / syslinux.efi: `pxelinux.cfg/01-<mac>`, then the hex IP, then `default` (docs/protocol.md, "Config
    /// file search (pxelinux, GRUB)").
    case pxelinux
    /// GRUB 2 booted over the network: `grub/grub.cfg-01-<mac>`, then the hex IP, then `grub/grub.cfg` (GRUB ≥ 2.06,
    /// prefix `/grub`); `grub/grub.cfg` also dispatches by MAC for Debian's signed image, which reads only that file.
    case grub
    /// iPXE: a script per MAC, whose name DHCP hands to iPXE as its boot file.
    case ipxe

    /// The file a machine's boot loader fetches for this MAC.
    public func fileName(for mac: MACAddress) -> String {
        switch self {
        case .pxelinux: return "pxelinux.cfg/" + mac.hardwareTypeName
        case .grub: return "grub/grub.cfg-" + mac.hardwareTypeName
        case .ipxe: return "ipxe/" + mac.hardwareTypeName + ".ipxe"
        }
    }

    /// The file tried for a fixed IP after the MAC name missed; iPXE has no such lookup.
    public func fileName(for ip: IPv4Address) -> String? {
        switch self {
        case .pxelinux: return "pxelinux.cfg/" + ip.hexName
        case .grub: return "grub/grub.cfg-" + ip.hexName
        case .ipxe: return nil
        }
    }

    /// The MAC a per-MAC file name is for (`pxelinux.cfg/01-52-54-00-ab-cd-ef` → 52:54:00:ab:cd:ef), in any format.
    public static func mac(inFileName name: String) -> MACAddress? {
        var base = Substring(name.split(separator: "/").last ?? "")
        if base.hasPrefix("grub.cfg-") { base = base.dropFirst("grub.cfg-".count) }
        guard base.hasPrefix("01-") else { return nil }
        let hyphenated = base.dropFirst(3).prefix(17)
        guard hyphenated.count == 17 else { return nil }
        return MACAddress(String(hyphenated))
    }

    /// The file every machine that no profile claims ends up with.
    public var fallbackFileName: String {
        switch self {
        case .pxelinux: return "pxelinux.cfg/default"
        case .grub: return "grub/grub.cfg"
        case .ipxe: return "ipxe/default.ipxe"
        }
    }

    /// Renders the file that machines without a profile end up with.
    public func renderFallback(_ entry: BootEntry, comment: String) -> String {
        switch self {
        case .grub: return GrubRenderer.renderDispatcher(fallback: entry, comment: comment)
        case .pxelinux, .ipxe: return render(entry, comment: comment)
        }
    }

    /// Renders `entry` in this format; `comment` says where it came from.
    public func render(_ entry: BootEntry, comment: String) -> String {
        switch self {
        case .pxelinux: return PxelinuxRenderer.render(entry, comment: comment)
        case .grub: return GrubRenderer.render(entry, comment: comment)
        case .ipxe: return IPXERenderer.render(entry, comment: comment)
        }
    }
}
