import Inventory
import Testing

@testable import DHCPCore

/// UEFI HTTP boot: which loader URL a client gets, from which server, in DHCP and proxy mode.
@Suite struct DHCPEngineHTTPBootTests {
    typealias F = EngineFixture

    /// The fixture's configuration with Rackboot's own HTTP service on `port` instead of an external URL.
    static func configuration(port: Int? = 8080) -> DHCPEngineConfiguration {
        var configuration = F.configuration
        configuration.bootFiles.httpBootURL = nil
        configuration.bootFiles.httpServicePort = port
        configuration.bootFiles.httpLoaders = [.efiX64: "ipxe.efi", .efiARM64: "arm64/grubnetaa64.efi"]
        return configuration
    }

    /// What an HTTP-boot UEFI client sends: option 60 `HTTPClient:Arch:…`, option 93 and a request for 60 and 67.
    static func httpClient(architecture: UInt16?) -> (inout DHCPMessage) -> Void {
        { message in
            message.options.vendorClassIdentifier = String(
                format: "HTTPClient:Arch:%05d:UNDI:003001", architecture ?? 16)
            if let architecture {
                message.options[.clientArchitecture] = [UInt8(architecture >> 8), UInt8(architecture & 0xff)]
            }
            message.options[.parameterRequestList] = [1, 3, 6, 60, 67]
        }
    }

    func offer(
        _ configuration: DHCPEngineConfiguration, architecture: UInt16?, mac: MACAddress = F.knownMAC,
        inventory: Inventory = F.inventory
    ) -> DHCPDecision {
        var engine = DHCPEngine(configuration: configuration)
        return engine.handle(
            F.request(.discover, mac: mac, Self.httpClient(architecture: architecture)), arrival: F.onLink,
            inventory: inventory, now: F.now)
    }

    func file(_ decision: DHCPDecision) -> String? {
        decision.reply.map { String(decoding: $0.message.bootFileName, as: UTF8.self) }
    }

    @Test(arguments: [
        (UInt16(16), "http://10.20.0.2:8080/ipxe.efi"), (19, "http://10.20.0.2:8080/arm64/grubnetaa64.efi"),
    ])
    func servesTheLoaderOfTheClientsFirmwareFromRackbootsHTTPService(architecture: UInt16, url: String) throws {
        let decision = offer(Self.configuration(), architecture: architecture)
        let reply = try #require(decision.reply?.message)
        #expect(file(decision) == url)
        #expect(reply.options[.bootFileName] == Array(url.utf8), "option 67 was asked for")
        #expect(reply.options.vendorClassIdentifier == "HTTPClient", "firmware ignores a URL without it")
        #expect(reply.options[.vendorSpecific] == nil, "option 43 is PXE's")
        #expect(decision.event.bootFile == url)
        #expect(decision.event.reason == nil)
    }

    @Test func readsTheArchitectureFromOption60WhenOption93IsMissing() {
        #expect(file(offer(Self.configuration(), architecture: nil)) == "http://10.20.0.2:8080/ipxe.efi")
    }

    @Test func leavesOutThePortWhenItIsEighty() {
        #expect(file(offer(Self.configuration(port: 80), architecture: 16)) == "http://10.20.0.2/ipxe.efi")
    }

    @Test func anArchitectureWithoutALoaderGetsNoFileAndTheLogSaysWhy() {
        let ia32 = offer(Self.configuration(), architecture: 15)
        #expect(file(ia32) == "")
        #expect(ia32.event.architecture == "efi-ia32-http")
        #expect(ia32.event.reason == "no boot file configured for efi-ia32-http")
        #expect(ia32.reply?.message.options.vendorClassIdentifier == nil, "no HTTPClient without a URL")
        #expect(ia32.reply?.message.yourAddress == IPv4Address("10.20.0.11"), "its fixed address is still offered")
        let riscv = offer(Self.configuration(), architecture: 28)
        #expect(file(riscv) == "")
        #expect(riscv.event.reason == "no boot file configured for arch-28")
    }

    @Test func withoutTheHTTPServiceOrAURLTheLogNamesTheMissingSection() {
        let decision = offer(Self.configuration(port: nil), architecture: 16)
        #expect(file(decision) == "")
        #expect(
            decision.event.reason == "no boot file: UEFI HTTP boot needs the http: section (or boot.files.http_url)")
    }

    @Test func anExternalURLOverridesRackbootsOwnLoader() {
        var configuration = Self.configuration()
        configuration.bootFiles.httpBootURL = "http://images.example.net/boot/ipxe.efi"
        #expect(file(offer(configuration, architecture: 16)) == "http://images.example.net/boot/ipxe.efi")
        #expect(file(offer(configuration, architecture: 19)) == "http://images.example.net/boot/ipxe.efi")
    }

    @Test func aMachinesLoaderFamilyWinsWhenItRunsAfterHTTPBoot() throws {
        let collector = DiagnosticCollector()
        var context = InventoryContext(
            subnets: [], defaultServer: F.server, bootFileRootDescription: "root", bootFileExists: { _ in true })
        context.configuredLoaders = [.grub: [.efiX64], .syslinux: [.efiX64]]
        let inventory = try #require(
            InventoryBuilder.build(
                profiles: [
                    YAMLSource(
                        path: "web-01.yaml",
                        text: "hostname: web-01\nmacs: [52:54:00:20:00:11]\nstate: local\nloader: grub"),
                    YAMLSource(
                        path: "web-02.yaml",
                        text: "hostname: web-02\nmacs: [52:54:00:20:00:12]\nstate: local\nloader: syslinux"),
                ],
                templates: [], context: context, collector: collector))
        var configuration = Self.configuration()
        configuration.bootFiles.loaders = [.grub: [.efiX64: "shimx64.efi"], .syslinux: [.efiX64: "syslinux.efi"]]
        #expect(
            file(offer(configuration, architecture: 16, inventory: inventory)) == "http://10.20.0.2:8080/shimx64.efi")
        #expect(
            file(offer(configuration, architecture: 16, mac: MACAddress("52:54:00:20:00:12")!, inventory: inventory))
                == "http://10.20.0.2:8080/ipxe.efi", "syslinux cannot run after HTTP boot: boot.http_files applies")
        #expect(
            file(offer(configuration, architecture: 19, inventory: inventory))
                == "http://10.20.0.2:8080/arm64/grubnetaa64.efi", "grub has no ARM64 file configured")
    }

    @Test func proxyModeOffersTheURLWithoutSendingTheClientToPort4011() throws {
        var configuration = Self.configuration()
        configuration.subnets[0].mode = .proxy
        configuration.subnets[0].proxyEFIStrategy = .bootServer
        let decision = offer(configuration, architecture: 16)
        let reply = try #require(decision.reply?.message)
        #expect(reply.yourAddress.rawValue == 0, "the network's own DHCP server gives the address")
        #expect(file(decision) == "http://10.20.0.2:8080/ipxe.efi")
        #expect(reply.options.vendorClassIdentifier == "HTTPClient")
        #expect(reply.options[.vendorSpecific] == nil)
        #expect(decision.event.reason == "proxy offer")
    }

    @Test func proxyModeStaysSilentWithoutALoader() {
        var configuration = Self.configuration()
        configuration.subnets[0].mode = .proxy
        let decision = offer(configuration, architecture: 15)
        #expect(decision.reply == nil)
        #expect(decision.event.kind == .ignored)
        #expect(decision.event.reason == "no boot file configured for efi-ia32-http")
    }
}
