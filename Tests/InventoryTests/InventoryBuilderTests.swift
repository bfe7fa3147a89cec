import Testing

@testable import Inventory

@Suite struct InventoryBuilderTests {
    @Test func buildsLooksUpAndRendersEveryName() throws {
        var fixture = InventoryFixture()
        fixture.profiles["web-01"] = profile(
            "web-01", mac: "52:54:00:00:00:01", ip: "10.20.0.11",
            extra: "variables:\n  role: web")
        fixture.profiles["gw"] = profile("gw", mac: "52:54:00:00:00:02", state: "local")
        let (built, diagnostics) = fixture.build()
        #expect(diagnostics.isEmpty)
        let inventory = try #require(built)
        #expect(inventory.machines.map(\.hostname) == ["gw", "web-01"])
        let web = try #require(inventory.machine(for: MACAddress("52:54:00:00:00:01")!))
        #expect(web.ip == IPv4Address("10.20.0.11"))
        #expect(web.profileFile == "web-01.yaml")
        #expect(inventory.machine(for: IPv4Address("10.20.0.11")!)?.hostname == "web-01")
        #expect(inventory.machine(for: MACAddress("52:54:00:00:00:09")!) == nil)
        #expect(
            inventory.renderedFiles.keys.sorted() == [
                "grub/grub.cfg", "grub/grub.cfg-01-52-54-00-00-00-01", "grub/grub.cfg-01-52-54-00-00-00-02",
                "grub/grub.cfg-0A14000B",
                "ipxe/01-52-54-00-00-00-01.ipxe", "ipxe/01-52-54-00-00-00-02.ipxe", "ipxe/default.ipxe",
                "pxelinux.cfg/01-52-54-00-00-00-01", "pxelinux.cfg/01-52-54-00-00-00-02", "pxelinux.cfg/0A14000B",
                "pxelinux.cfg/default",
            ])
        let config = String(
            decoding: try #require(inventory.renderedFile(at: "pxelinux.cfg/01-52-54-00-00-00-01")),
            as: UTF8.self)
        #expect(config.contains("    APPEND host=web-01 mac=52:54:00:00:00:01 server=10.20.0.2 role=web\n"))
        #expect(
            inventory.renderedFile(at: "pxelinux.cfg/0A14000B")
                == inventory.renderedFile(
                    at: "pxelinux.cfg/01-52-54-00-00-00-01"))
        let local = String(
            decoding: try #require(inventory.renderedFile(at: "pxelinux.cfg/01-52-54-00-00-00-02")),
            as: UTF8.self)
        #expect(local.contains("LOCALBOOT 0"))
        #expect(!local.contains("LINUX"))
    }

    @Test func rendersEachMACOfAMachineWithItsOwnMAC() throws {
        var fixture = InventoryFixture()
        fixture.profiles["db"] = """
            hostname: db
            macs: [52:54:00:00:00:0a, 52:54:00:00:00:0b]
            template: os
            state: install
            """
        let inventory = try #require(fixture.build().inventory)
        for suffix in ["0a", "0b"] {
            let text = String(
                decoding: inventory.renderedFile(at: "ipxe/01-52-54-00-00-00-\(suffix).ipxe") ?? [],
                as: UTF8.self)
            #expect(text.contains(" mac=52:54:00:00:00:\(suffix) "))
        }
    }

    @Test func sameInputGivesTheSameBytes() throws {
        var fixture = InventoryFixture()
        for index in 1...20 {
            fixture.profiles["m\(index)"] = profile(
                "m\(index)", mac: String(format: "52:54:00:00:01:%02x", index),
                ip: "10.20.0.\(10 + index)")
        }
        let first = try #require(fixture.build().inventory)
        let second = try #require(fixture.build().inventory)
        #expect(first.renderedFiles == second.renderedFiles)
        #expect(first.machines == second.machines)
    }

    @Test func unknownMachinesBootTheLocalDiskByDefaultOrTheNamedTemplate() throws {
        var fixture = InventoryFixture()
        let local = try #require(fixture.build().inventory)
        #expect(local.unknownMachineBoot == .localDisk)
        let unknown = MACAddress("52:54:00:99:99:99")!
        #expect(local.bootConfig(for: unknown, format: .pxelinux).path == "pxelinux.cfg/default")

        fixture.templates["rescue"] = "kernel: os/linux\ncmdline: rescue server={{server}} t={{template}}"
        fixture.policy = .template(Located("rescue", at: SourceLocation(file: "rackboot.yaml", line: 4, column: 13)))
        let rescue = try #require(fixture.build().inventory)
        let text = String(decoding: rescue.bootConfig(for: unknown, format: .pxelinux).contents, as: UTF8.self)
        #expect(text.contains("APPEND rescue server=10.20.0.2 t=rescue"))
    }
}
