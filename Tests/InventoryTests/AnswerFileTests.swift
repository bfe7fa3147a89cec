import Foundation
import Testing

@testable import Inventory

/// Answer files: validation with file and line, the HTTP requirement, rendering per request, and who may have one.
@Suite struct AnswerFileTests {
    static let template = """
        description: Installer
        kernel: os/linux
        initrds: [os/initrd]
        cmdline: auto url={{files_url}}/preseed.cfg base={{http}}
        files:
          preseed.cfg: os/preseed.cfg
        variables:
          mirror: deb.example.net
        """

    func fixture(answer: String = "host {{hostname}} ip {{ip}} mirror {{mirror}}\n") -> InventoryFixture {
        var fixture = InventoryFixture()
        fixture.templates["installer"] = Self.template
        fixture.templateFiles["os/preseed.cfg"] = answer
        fixture.httpPort = 8080
        fixture.profiles["web-01"] = profile(
            "web-01", mac: "52:54:00:00:00:01", ip: "10.20.0.11", template: "installer")
        fixture.profiles["pool-01"] = profile("pool-01", mac: "52:54:00:00:00:02", template: "installer")
        return fixture
    }

    @Test func commandLineGetsTheServiceURLs() throws {
        let inventory = try #require(fixture().build().inventory)
        let script = String(
            decoding: inventory.bootConfig(for: MACAddress("52:54:00:00:00:01")!, format: .ipxe).contents, as: UTF8.self
        )
        #expect(script.contains("url=http://10.20.0.2:8080/files/web-01/preseed.cfg base=http://10.20.0.2:8080"))
    }

    @Test func rendersForTheMachinesOwnAddressOnly() throws {
        let inventory = try #require(
            fixture(
                answer:
                    "{{hostname}} {{ip}} {{mac}} {{netmask}} {{prefix_length}} {{gateway}} {{dns}} {{domain}} {{callback_url}}"
            ).build().inventory)
        let files = try #require(inventory.answerFiles["web-01"])
        let own = files.render(
            "preseed.cfg", client: IPv4Address("10.20.0.11")!, macAtClient: nil, callbackURL: "CB",
            subnets: inventory.answerFileSubnets)
        #expect(
            own == .rendered("web-01 10.20.0.11 52:54:00:00:00:01 255.255.255.0 24 10.20.0.1 10.20.0.53 rack.test CB"))
        let other = files.render(
            "preseed.cfg", client: IPv4Address("10.20.0.12")!, macAtClient: MACAddress("52:54:00:00:00:99"),
            callbackURL: "CB", subnets: inventory.answerFileSubnets)
        guard case .forbidden = other else {
            Issue.record("another address got \(other)")
            return
        }
        #expect(
            files.render("nope", client: IPv4Address("10.20.0.11")!, macAtClient: nil, callbackURL: "", subnets: [])
                == .notFound("web-01 has no answer file 'nope'"))
    }

    @Test func theCallbackAndTheAnswerFilesShareOneAddressRule() throws {
        let inventory = try #require(fixture().build().inventory)
        let fixed = try #require(inventory.machine(for: MACAddress("52:54:00:00:00:01")!))
        #expect(fixed.isOwnAddress(IPv4Address("10.20.0.11")!, macAtClient: nil))
        #expect(!fixed.isOwnAddress(IPv4Address("10.20.0.12")!, macAtClient: MACAddress("52:54:00:00:00:02")))
        let pool = try #require(inventory.machine(for: MACAddress("52:54:00:00:00:02")!))
        #expect(pool.isOwnAddress(IPv4Address("10.20.0.150")!, macAtClient: MACAddress("52:54:00:00:00:02")))
        #expect(!pool.isOwnAddress(IPv4Address("10.20.0.150")!, macAtClient: nil))
    }

    @Test func aPoolMachineIsKnownByItsLease() throws {
        let inventory = try #require(fixture().build().inventory)
        let files = try #require(inventory.answerFiles["pool-01"])
        let leased = files.render(
            "preseed.cfg", client: IPv4Address("10.20.0.150")!, macAtClient: MACAddress("52:54:00:00:00:02"),
            callbackURL: "", subnets: inventory.answerFileSubnets)
        #expect(leased == .rendered("host pool-01 ip 10.20.0.150 mirror deb.example.net\n"))
    }

    @Test func anUndefinedPlaceholderIsReportedAtItsLine() {
        let lines = fixture(answer: "first line\nsecond {{rack}}\n").diagnosticLines()
        #expect(
            lines.contains {
                $0.hasPrefix("profiles/templates/os/preseed.cfg:2:1: error: answer file 'preseed.cfg' uses {{rack}}")
            })
    }

    @Test func aSyntaxErrorIsReportedAtItsLine() {
        let lines = fixture(answer: "a\nb\nc {{unterminated\n").diagnosticLines()
        #expect(lines.contains { $0.hasPrefix("profiles/templates/os/preseed.cfg:3:1: error: '{{' at character") })
    }

    @Test func answerFilesNeedTheHTTPService() {
        var off = fixture()
        off.httpPort = nil
        let lines = off.diagnosticLines()
        #expect(
            lines.contains { $0.contains("has answer files, which are served over HTTP, but the HTTP service is off") })
        #expect(lines.contains { $0.contains("uses {{files_url}}, which needs the HTTP service") })
    }

    @Test func aCommandLineCannotUseAnswerFileOnlyPlaceholders() {
        var fixture = fixture()
        fixture.templates["installer"] = Self.template.replacingOccurrences(
            of: "base={{http}}", with: "cb={{callback_url}}")
        #expect(fixture.diagnosticLines().contains { $0.contains("{{callback_url}}, which only answer files can use") })
    }

    @Test func badNamesAndMissingSourcesAreReported() {
        var fixture = fixture()
        fixture.templates["installer"] = Self.template.replacingOccurrences(
            of: "preseed.cfg: os/preseed.cfg", with: "../x: os/preseed.cfg\n  ok.cfg: os/missing.cfg")
        let lines = fixture.diagnosticLines()
        #expect(lines.contains { $0.contains("answer file name '../x' must be one file name") })
        #expect(lines.contains { $0.contains("answer file 'ok.cfg': no file os/missing.cfg") })
    }

    @Test func installedMachinesBootTheirDiskAndReinstallRestoresTheInstaller() throws {
        let inventory = try #require(fixture().build().inventory)
        let mac = MACAddress("52:54:00:00:00:01")!
        let installed = inventory.applyingInstalled(["web-01"])
        for format in BootConfigFormat.allCases {
            #expect(installed.bootConfig(for: mac, format: format) != inventory.bootConfig(for: mac, format: format))
            let text = String(decoding: installed.bootConfig(for: mac, format: format).contents, as: UTF8.self)
            #expect(text.contains("installed: boots its disk until `rackboot reinstall web-01`"))
            #expect(!text.contains("os/linux"))
        }
        let pxelinux = String(decoding: installed.bootConfig(for: mac, format: .pxelinux).contents, as: UTF8.self)
        #expect(pxelinux.contains("LOCALBOOT"))
        #expect(
            installed.renderedFile(at: "pxelinux.cfg/0A14000B")
                == installed.bootConfig(for: mac, format: .pxelinux).contents)
        #expect(installed.bootsLocalDisk(installed.machine(for: mac)!))
        let back = installed.applyingInstalled([])
        #expect(back.bootConfig(for: mac, format: .ipxe) == inventory.bootConfig(for: mac, format: .ipxe))
    }
}
