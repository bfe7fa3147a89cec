import Inventory
import Testing

@testable import Appliance

/// `boot.files.efi_ia32` and `boot.loaders`: parsed with their lines; a loader that cannot run on its firmware is
/// refused.
@Suite struct BootLoadersConfigTests {
    private func parse(_ boot: String) -> (config: ApplianceConfig?, errors: [String]) {
        let text = "boot:\n  next_server: 10.20.0.2\n" + boot
        let collector = DiagnosticCollector()
        let config = ConfigParser.parse(
            YAMLSource(path: "rackboot.yaml", text: text), resolvePath: { $0 }, collector: collector)
        return (config, collector.diagnostics.filter { $0.severity == .error }.map(\.description))
    }

    @Test func loadersAndThe32BitFileAreRead() throws {
        let parsed = parse(
            "  files:\n    efi_ia32: efi32/syslinux.efi\n  loaders:\n    grub:\n      efi_x64: shimx64.efi\n"
                + "      efi_arm64: grubnetaa64.efi\n    ipxe:\n      bios: undionly.kpxe\n")
        #expect(parsed.errors == [])
        let boot = try #require(parsed.config).boot
        #expect(boot.efiIA32File == "efi32/syslinux.efi")
        #expect(
            boot.loaders == [
                .grub: [.efiX64: "shimx64.efi", .efiARM64: "grubnetaa64.efi"], .ipxe: [.bios: "undionly.kpxe"],
            ])
        #expect(boot.configuredLoaders == [.grub: [.efiX64, .efiARM64], .ipxe: [.bios]])
        #expect(boot.filesWithCompanions.contains { $0.key == "efi_ia32" && $0.companion == "efi32/ldlinux.e32" })
        #expect(boot.filesWithCompanions.contains { $0.key == "loaders.grub.efi_x64" && $0.path == "shimx64.efi" })
    }

    @Test func syslinuxForARM64IsRefusedInBothPlaces() {
        let inFiles = parse("  files:\n    efi_arm64: syslinux.efi\n")
        #expect(
            inFiles.errors.contains { $0.hasPrefix("rackboot.yaml:4:16") && $0.contains("no build for efi_arm64") },
            "\(inFiles.errors)")
        let inLoaders = parse("  loaders:\n    syslinux:\n      efi_arm64: syslinux.efi\n")
        #expect(inLoaders.errors.contains { $0.contains("unknown key 'efi_arm64'") }, "\(inLoaders.errors)")
    }
}
