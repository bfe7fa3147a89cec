/// The firmware kinds DHCP tells apart by option 93 (docs/protocol.md, "Option 93 client architectures").
public enum Firmware: String, Sendable, Hashable, CaseIterable, Comparable {
    /// Option 93 = 0: legacy BIOS PXE.
    case bios
    /// Option 93 = 6: 32-bit x86 UEFI, which cannot run a 64-bit loader.
    case efiIA32 = "efi_ia32"
    /// Option 93 = 7 or 9: x86-64 UEFI.
    case efiX64 = "efi_x64"
    /// Option 93 = 11: ARM64 UEFI.
    case efiARM64 = "efi_arm64"

    /// The firmware of a PXE client's option 93 value; `nil` for architectures Rackboot has no loader for.
    public init?(architecture: UInt16) {
        switch architecture {
        case 0: self = .bios
        case 6: self = .efiIA32
        case 7, 9: self = .efiX64
        case 11: self = .efiARM64
        default: return nil
        }
    }

    /// The firmware of a UEFI HTTP-boot client's option 93 value: 15 (x86), 16 (x86-64), 19 (ARM64), from IANA's
    /// processor architecture registry; `nil` for the HTTP architectures Rackboot has no loader for.
    public init?(httpBootArchitecture architecture: UInt16) {
        switch architecture {
        case 15: self = .efiIA32
        case 16: self = .efiX64
        case 19: self = .efiARM64
        default: return nil
        }
    }

    public static func < (lhs: Firmware, rhs: Firmware) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// The boot loader families whose configs Rackboot renders; a machine can be given any one per firmware.
public enum LoaderFamily: String, Sendable, Hashable, CaseIterable {
    /// pxelinux (BIOS) and syslinux.efi (x86 UEFI): reads `pxelinux.cfg/`.
    case syslinux
    /// GRUB's network images, directly or behind shim for Secure Boot: reads `grub/`.
    case grub
    /// iPXE: gets its per-MAC script as its boot file.
    case ipxe

    /// The firmware each family has builds for: syslinux has none for ARM64.
    public var firmware: Set<Firmware> {
        switch self {
        case .syslinux: return [.bios, .efiIA32, .efiX64]
        case .grub, .ipxe: return Set(Firmware.allCases)
        }
    }

    /// Whether the family's UEFI builds run when the firmware loaded them over HTTP: GRUB and iPXE bring their own
    /// HTTP; syslinux.efi loads everything through the firmware's PXE (TFTP) stack, which HTTP boot never starts.
    public var runsAfterHTTPBoot: Bool { self != .syslinux }

    /// The family a loader file most likely belongs to, from its name, for checking `boot.files`; `nil` when the
    /// name does not tell.
    public static func guess(fromFileName path: String) -> LoaderFamily? {
        let name = (path.split(separator: "/").last.map(String.init) ?? path).lowercased()
        if name.hasPrefix("pxelinux") || name.hasPrefix("lpxelinux") || name.hasPrefix("syslinux") {
            return .syslinux
        }
        if name.hasPrefix("grub") || name.hasPrefix("shim") || name == "core.0" || name.hasPrefix("bootx64")
            || name.hasPrefix("bootaa64")
        {
            return name.hasPrefix("boot") ? nil : .grub
        }
        if name.hasSuffix(".kpxe") || name.hasSuffix(".pxe") || name.hasPrefix("ipxe") || name.hasPrefix("snponly") {
            return .ipxe
        }
        return nil
    }
}

/// Which loader family a machine boots, per firmware; firmware not named uses `boot.files`.
public struct LoaderChoice: Sendable, Hashable {
    public var families: [Firmware: LoaderFamily]

    public init(_ families: [Firmware: LoaderFamily] = [:]) {
        self.families = families
    }

    public static let `default` = LoaderChoice()
}
