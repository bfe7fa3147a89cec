import Inventory

/// What a DHCP request says about the boot firmware that sent it.
public struct NetworkBootClient: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// Not booting from the network (an installed OS renewing its lease): no boot information.
        case plain
        /// A PXE ROM or UEFI PXE client (option 60 starts with `PXEClient`).
        case pxe
        /// iPXE (user class `iPXE` or option 175), already running: it wants its script.
        case ipxe
        /// UEFI HTTP boot (option 60 starts with `HTTPClient`, or architecture 16).
        case http
    }

    public var kind: Kind
    /// Option 93's first code, else the `Arch:` field of option 60, else 0 (BIOS).
    public var architecture: UInt16

    /// Classifies `options` (RFC 4578, PXE 2.1, iPXE's conventions).
    public init(_ options: DHCPOptions) {
        let vendorClass = options.vendorClassIdentifier ?? ""
        let architectureFromVendorClass = Self.architecture(inVendorClass: vendorClass)
        architecture = options.clientArchitectures.first ?? architectureFromVendorClass ?? 0
        if options.userClassContains("iPXE") || options[.ipxeEncapsulated] != nil {
            kind = .ipxe
        } else if vendorClass.hasPrefix("HTTPClient") || architecture == 16 {
            kind = .http
        } else if vendorClass.hasPrefix("PXEClient") {
            kind = .pxe
        } else {
            kind = .plain
        }
    }

    /// `PXEClient:Arch:00007:UNDI:003016` → 7.
    static func architecture(inVendorClass text: String) -> UInt16? {
        let fields = text.split(separator: ":")
        guard let index = fields.firstIndex(of: "Arch"), index + 1 < fields.count else { return nil }
        return UInt16(fields[index + 1])
    }

    /// Short name for logs: `bios`, `efi-x64`, `efi-arm64`, …
    public var architectureName: String {
        switch architecture {
        case 0: return "bios"
        case 6: return "efi-ia32"
        case 7, 9: return "efi-x64"
        case 10: return "efi-arm32"
        case 11: return "efi-arm64"
        case 16: return "efi-x64-http"
        default: return "arch-\(architecture)"
        }
    }

    /// The boot file for this client, or `nil` when none is configured for its architecture.
    ///
    /// RFC 4578 as corrected by its errata: 7 and 9 are both x86-64 UEFI in practice (docs/protocol.md, "Option 93
    /// client architectures").
    /// `server` is the boot server of the client's subnet (siaddr).
    public func bootFile(
        from files: DHCPBootFiles, mac: MACAddress, server: IPv4Address, inventory: Inventory
    ) -> String? {
        switch kind {
        case .plain:
            return nil
        case .ipxe where files.ipxeScripts:
            let script = inventory.bootConfig(for: mac, format: .ipxe).path
            guard let port = files.ipxeHTTPPort else { return script }
            return ServiceURL.base(server: server, port: port) + "/" + script
        case .http:
            return files.httpBootURL
        case .pxe, .ipxe:
            // A machine's own loader family for its firmware (`loader:`), else `boot.files`; 32-bit UEFI (6) never
            // gets the x86-64 loader (docs/protocol.md, "Option 93 client architectures").
            guard let firmware = Firmware(architecture: architecture) else { return nil }
            if let family = inventory.machine(for: mac)?.loaders.families[firmware],
                let file = files.loaders[family]?[firmware]
            {
                return file
            }
            return files.defaultFile(for: firmware)
        }
    }
}
