/// Recognises the config files boot loaders ask for only to find out whether they exist, so a miss on them is routine
/// and the adapter logs it at debug level (dnsmasq's `--quiet-tftp`; docs/protocol.md, "Config file search (pxelinux,
/// GRUB)").
///
/// pxelinux tries `pxelinux.cfg/<UUID>`, `pxelinux.cfg/01-<mac>`, then the upper-case hex IP shortened one digit at a
/// time (`C000025B` … `C`) before `default`; GRUB tries `grub.cfg-01-<mac>` and the hex IP before `grub.cfg`. With DHCP
/// option 210 the `pxelinux.cfg` directory may sit under a prefix, so only the last two components are checked. The
/// fallback files themselves (`default`, `grub.cfg`) are not probes: missing them is a real problem.
///
/// The Secure Boot chain probes too (docs/profiles.md, "Secure Boot"): shim asks beside itself for
/// `revocations_sku.efi`, `revocations_sbat.efi` and `shim_certificate_0.efi`, and Debian's signed GRUB for the
/// module lists `command.lst`, `fs.lst`, `crypto.lst` and `terminal.lst` in its platform folder; none is needed.
public enum TFTPConfigProbe {
    /// GRUB's platform folders, where it looks for its optional module lists.
    static let grubPlatforms: Set<Substring> = ["x86_64-efi", "i386-efi", "arm64-efi", "i386-pc"]
    static let grubModuleLists: Set<Substring> = ["command.lst", "fs.lst", "crypto.lst", "terminal.lst"]

    /// True if a miss on `name` is an expected part of a boot loader's config search.
    public static func isExpectedMiss(_ name: TFTPFileName) -> Bool {
        let components = name.components
        if let last = components.last, isShimProbe(last) { return true }
        guard components.count >= 2 else { return false }
        let directory = components[components.count - 2]
        let file = components[components.count - 1]
        if directory == "pxelinux.cfg" {
            return isUUID(file) || isHardwareAddressName(file) || isHexIPPrefix(file)
        }
        if grubPlatforms.contains(directory), grubModuleLists.contains(file) { return true }
        if file.hasPrefix("grub.cfg-") {
            let suffix = file.dropFirst("grub.cfg-".count)
            return isUUID(suffix) || isHardwareAddressName(suffix) || isHexIPPrefix(suffix)
        }
        return false
    }

    /// shim's optional revocation and certificate files: `revocations_sku.efi`, `revocations_sbat.efi`,
    /// `shim_certificate_<n>.efi`.
    static func isShimProbe(_ file: Substring) -> Bool {
        if file == "revocations_sku.efi" || file == "revocations_sbat.efi" { return true }
        guard file.hasPrefix("shim_certificate_"), file.hasSuffix(".efi") else { return false }
        let number = file.dropFirst("shim_certificate_".count).dropLast(".efi".count)
        return !number.isEmpty && number.allSatisfy(\.isNumber)
    }

    /// `01-52-54-00-12-34-56`: an ARP hardware type and six octets, any case.
    static func isHardwareAddressName(_ text: Substring) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        return parts.count == 7 && parts.allSatisfy { $0.count == 2 && $0.allSatisfy(\.isHexDigit) }
    }

    /// `C000025B` down to `C`: one to eight upper-case hex digits.
    static func isHexIPPrefix(_ text: Substring) -> Bool {
        (1...8).contains(text.count) && text.allSatisfy { $0.isHexDigit && !$0.isLowercase }
    }

    /// `8-4-4-4-12` hex digits (RFC 4122 text form), as pxelinux prints the DHCP option 97 UUID.
    static func isUUID(_ text: Substring) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        return parts.map(\.count) == [8, 4, 4, 4, 12] && parts.allSatisfy { $0.allSatisfy(\.isHexDigit) }
    }
}
