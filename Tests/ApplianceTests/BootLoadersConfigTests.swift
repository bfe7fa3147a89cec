import Inventory
import Testing

@testable import Appliance

/// `boot.files.efi_ia32`, `boot.loaders` and `boot.http_files`: parsed with their lines; a loader that cannot run on
/// its firmware, or after HTTP boot, is refused.
@Suite struct BootLoadersConfigTests {
    private func parse(_ boot: String, after: String = "") -> (config: ApplianceConfig?, errors: [String]) {
        let text = "boot:\n  next_server: 10.20.0.2\n" + boot + after
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

    @Test func httpFilesAreReadAndCheckedLikeTheOtherBootFiles() throws {
        let parsed = parse(
            "  http_files:\n    efi_x64: ipxe.efi\n    efi_arm64: arm64/grubnetaa64.efi\n", after: "http:\n")
        #expect(parsed.errors == [])
        let boot = try #require(parsed.config).boot
        #expect(boot.httpFiles == [.efiX64: "ipxe.efi", .efiARM64: "arm64/grubnetaa64.efi"])
        #expect(
            boot.filesWithCompanions.contains { $0.key == "http_files.efi_arm64" && $0.path == "arm64/grubnetaa64.efi" }
        )
        #expect(boot.fileLocations["http_files.efi_x64"]?.line == 4)
    }

    @Test func httpFilesRefuseSyslinuxBIOSAndABadPath() {
        let syslinux = parse("  http_files:\n    efi_x64: syslinux.efi\n", after: "http:\n")
        #expect(
            syslinux.errors.contains {
                $0.hasPrefix("rackboot.yaml:4:14") && $0.contains("cannot run after UEFI HTTP boot")
            },
            "\(syslinux.errors)")
        let bios = parse("  http_files:\n    bios: ipxe.pxe\n", after: "http:\n")
        #expect(bios.errors.contains { $0.contains("unknown key 'bios'") }, "\(bios.errors)")
        let path = parse("  http_files:\n    efi_x64: /ipxe.efi\n", after: "http:\n")
        #expect(
            path.errors.contains { $0.contains("http_files.efi_x64: '/ipxe.efi' starts with '/'") }, "\(path.errors)")
    }

    @Test func httpFilesWithoutTheHTTPServiceAreAnError() {
        let off = parse("  http_files:\n    efi_x64: ipxe.efi\n")
        #expect(
            off.errors.contains { $0.hasPrefix("rackboot.yaml:4:") && $0.contains("add an 'http:' section") },
            "\(off.errors)")
        let disabled = parse("  http_files:\n    efi_x64: ipxe.efi\n", after: "http:\n  enabled: false\n")
        #expect(disabled.errors.contains { $0.contains("add an 'http:' section") }, "\(disabled.errors)")
    }
}
