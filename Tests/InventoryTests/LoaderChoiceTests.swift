import Testing

@testable import Inventory

/// `loader:` in templates and profiles: one family everywhere it is configured, or one per firmware, checked against
/// what the family can run on and what `boot.loaders` names.
@Suite struct LoaderChoiceTests {
    func build(profileLoader: String? = nil, templateLoader: String? = nil, configured: [LoaderFamily: Set<Firmware>])
        -> (inventory: Inventory?, lines: [String])
    {
        let collector = DiagnosticCollector()
        var context = InventoryContext(
            subnets: [InventoryFixture.subnet], defaultServer: IPv4Address("10.20.0.2")!,
            bootFileRootDescription: "tftproot/", bootFileExists: { _ in true })
        context.configuredLoaders = configured
        let template =
            "kernel: os/linux\ncmdline: host={{hostname}}\n" + (templateLoader.map { "loader: \($0)\n" } ?? "")
        let profile =
            "hostname: web-01\nmacs: [52:54:00:00:00:01]\nip: 10.20.0.11\ntemplate: os\nstate: install\n"
            + (profileLoader.map { "loader: \($0)\n" } ?? "")
        let inventory = InventoryBuilder.build(
            profiles: [YAMLSource(path: "profiles/web-01.yaml", text: profile)],
            templates: [YAMLSource(path: "profiles/templates/os.yaml", text: template)], context: context,
            collector: collector)
        return (inventory, collector.diagnostics.map { "\($0.location): \($0.severity.rawValue): \($0.message)" })
    }

    @Test func oneFamilyAppliesWhereverItIsConfigured() throws {
        let built = build(templateLoader: "grub", configured: [.grub: [.efiX64, .efiARM64]])
        let machine = try #require(built.inventory?.machines.first)
        #expect(machine.loaders.families == [.efiX64: .grub, .efiARM64: .grub])
    }

    @Test func theProfileOverridesTheTemplate() throws {
        let built = build(
            profileLoader: "{bios: ipxe}", templateLoader: "grub", configured: [.grub: [.efiX64], .ipxe: [.bios]])
        #expect(try #require(built.inventory?.machines.first).loaders.families == [.bios: .ipxe])
    }

    @Test func syslinuxOnARM64IsAnErrorWithItsLine() {
        let built = build(profileLoader: "{efi_arm64: syslinux}", configured: [.syslinux: [.bios, .efiX64]])
        #expect(built.inventory == nil)
        #expect(
            built.lines.contains(
                "profiles/web-01.yaml:6:21: error: syslinux has no build for efi_arm64 firmware; use grub or ipxe"),
            "\(built.lines)")
    }

    @Test func aFamilyWithoutAConfiguredFileIsAnError() {
        let built = build(profileLoader: "{efi_x64: grub}", configured: [:])
        #expect(
            built.lines.contains { $0.contains("error: boot.loaders.grub in the configuration names no efi_x64 file") })
    }

    @Test func aFamilyConfiguredNowhereWarns() throws {
        let built = build(templateLoader: "ipxe", configured: [.grub: [.efiX64]])
        #expect(built.inventory != nil)
        #expect(built.lines.contains { $0.contains("warning: loader 'ipxe' has no file under boot.loaders.ipxe") })
    }

    @Test func unknownFamiliesAndFirmwareAreRefused() {
        #expect(
            build(profileLoader: "lilo", configured: [:]).lines.contains {
                $0.contains("'loader' must be one of syslinux, grub, ipxe")
            })
        #expect(
            build(profileLoader: "{efi_riscv: grub}", configured: [:]).lines.contains {
                $0.contains("unknown key 'efi_riscv'")
            })
    }

    @Test func guessesFamiliesFromFileNames() {
        #expect(LoaderFamily.guess(fromFileName: "syslinux.efi") == .syslinux)
        #expect(LoaderFamily.guess(fromFileName: "boot/shimx64.efi") == .grub)
        #expect(LoaderFamily.guess(fromFileName: "grubnetaa64.efi") == .grub)
        #expect(LoaderFamily.guess(fromFileName: "undionly.kpxe") == .ipxe)
        #expect(LoaderFamily.guess(fromFileName: "loader.efi") == nil)
    }
}
