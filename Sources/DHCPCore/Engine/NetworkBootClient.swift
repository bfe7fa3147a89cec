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
        /// UEFI HTTP boot (option 60 starts with `HTTPClient`, or one of the HTTP architectures).
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
        } else if vendorClass.hasPrefix("HTTPClient") || Self.httpBootArchitectures.contains(architecture) {
            kind = .http
        } else if vendorClass.hasPrefix("PXEClient") {
            kind = .pxe
        } else {
            kind = .plain
        }
    }

    /// The option 93 values IANA's processor architecture registry gives to booting from HTTP: UEFI on x86 (15),
    /// x86-64 (16), EBC (17), ARM (18), ARM64 (19), PC BIOS (20), U-Boot on ARM (23, 24), UEFI on RISC-V (26, 28,
    /// 30) and LoongArch (38, 40) (docs/protocol.md, "UEFI HTTP boot").
    static let httpBootArchitectures: Set<UInt16> = [15, 16, 17, 18, 19, 20, 23, 24, 26, 28, 30, 38, 40]

    /// The firmware the client's loader must be built for; `nil` when Rackboot has no loader for its architecture.
    /// An HTTP-boot client names its own codes (16, not 7); one that says `HTTPClient` with a PXE code is taken at it.
    public var firmware: Firmware? {
        if kind == .http, let firmware = Firmware(httpBootArchitecture: architecture) { return firmware }
        return Firmware(architecture: architecture)
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
        case 15: return "efi-ia32-http"
        case 16: return "efi-x64-http"
        case 19: return "efi-arm64-http"
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
            guard let port = files.httpServicePort else { return script }
            return ServiceURL.base(server: server, port: port) + "/" + script
        case .http:
            return httpBootURL(from: files, mac: mac, server: server, inventory: inventory)
        case .pxe, .ipxe:
            // A machine's own loader family for its firmware (`loader:`), else `boot.files`; 32-bit UEFI (6) never
            // gets the x86-64 loader (docs/protocol.md, "Option 93 client architectures").
            guard let firmware else { return nil }
            if let family = inventory.machine(for: mac)?.loaders.families[firmware],
                let file = files.loaders[family]?[firmware]
            {
                return file
            }
            return files.defaultFile(for: firmware)
        }
    }

    /// What a UEFI HTTP-boot client loads: `boot.files.http_url` when set (a server of the admin's own); else, from
    /// Rackboot's HTTP service, the machine's own loader family for its firmware when that family runs after HTTP
    /// boot, else `boot.http_files` (docs/protocol.md, "UEFI HTTP boot").
    private func httpBootURL(
        from files: DHCPBootFiles, mac: MACAddress, server: IPv4Address, inventory: Inventory
    ) -> String? {
        if let url = files.httpBootURL { return url }
        guard let port = files.httpServicePort, let firmware else { return nil }
        let loader: String?
        if let family = inventory.machine(for: mac)?.loaders.families[firmware], family.runsAfterHTTPBoot,
            let file = files.loaders[family]?[firmware]
        {
            loader = file
        } else {
            loader = files.httpLoaders[firmware]
        }
        return loader.map { ServiceURL.base(server: server, port: port) + "/" + $0 }
    }
}
