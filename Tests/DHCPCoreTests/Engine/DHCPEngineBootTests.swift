import Inventory
import Testing

@testable import DHCPCore

@Suite struct DHCPEngineBootTests {
    typealias F = EngineFixture

    func bootFile(_ configure: @escaping (inout DHCPMessage) -> Void, mac: MACAddress = F.knownMAC) -> String? {
        var engine = F.engine()
        let decision = engine.handle(
            F.request(.discover, mac: mac, configure), arrival: F.onLink,
            inventory: F.inventory, now: F.now)
        return decision.reply.map { String(decoding: $0.message.bootFileName, as: UTF8.self) }
    }

    @Test(arguments: [
        (UInt16(0), "pxelinux.0"), (7, "syslinux.efi"), (9, "syslinux.efi"),
        (11, "grubaa64.efi"),
    ])
    func choosesTheBootFileByArchitecture(architecture: UInt16, file: String) {
        #expect(bootFile(F.pxe(architecture: architecture)) == file)
    }

    @Test func thirtyTwoBitUEFIGetsItsOwnLoaderOrNoneNeverTheSixtyFourBitOne() {
        #expect(bootFile(F.pxe(architecture: 6)) == "")
        var configuration = F.configuration
        configuration.bootFiles.efiIA32 = "efi32/syslinux.efi"
        var engine = DHCPEngine(configuration: configuration)
        let decision = engine.handle(
            F.request(.discover, mac: F.knownMAC, F.pxe(architecture: 6)), arrival: F.onLink, inventory: F.inventory,
            now: F.now)
        #expect(decision.reply.map { String(decoding: $0.message.bootFileName, as: UTF8.self) } == "efi32/syslinux.efi")
    }

    @Test func aMachinesLoaderChoiceWinsForItsFirmwareOnly() throws {
        let collector = DiagnosticCollector()
        var context = InventoryContext(
            subnets: [], defaultServer: F.server, bootFileRootDescription: "root", bootFileExists: { _ in true })
        context.configuredLoaders = [.grub: [.efiX64, .efiARM64]]
        let inventory = try #require(
            InventoryBuilder.build(
                profiles: [
                    YAMLSource(
                        path: "web-01.yaml",
                        text: "hostname: web-01\nmacs: [52:54:00:20:00:11]\nstate: local\nloader: grub")
                ],
                templates: [], context: context, collector: collector))
        var configuration = F.configuration
        configuration.bootFiles.loaders = [.grub: [.efiX64: "shimx64.efi", .efiARM64: "grubnetaa64.efi"]]
        func file(_ architecture: UInt16, mac: MACAddress = F.knownMAC) -> String? {
            var engine = DHCPEngine(configuration: configuration)
            let decision = engine.handle(
                F.request(.discover, mac: mac, F.pxe(architecture: architecture)), arrival: F.onLink,
                inventory: inventory, now: F.now)
            return decision.reply.map { String(decoding: $0.message.bootFileName, as: UTF8.self) }
        }
        #expect(file(7) == "shimx64.efi")
        #expect(file(11) == "grubnetaa64.efi")
        #expect(file(0) == "pxelinux.0", "grub has no BIOS file configured: boot.files applies")
        #expect(file(7, mac: MACAddress("52:54:00:99:00:01")!) == "syslinux.efi", "other machines keep boot.files")
    }

    @Test func readsTheArchitectureFromOption60WhenOption93IsMissing() {
        #expect(bootFile { $0.options.vendorClassIdentifier = "PXEClient:Arch:00007:UNDI:003016" } == "syslinux.efi")
    }

    @Test func givesIPXEItsScriptAndUnknownIPXETheDefaultScript() {
        let ipxe: (inout DHCPMessage) -> Void = {
            F.pxe(architecture: 0)(&$0)
            $0.options[.userClass] = Array("iPXE".utf8)
        }
        #expect(bootFile(ipxe) == "ipxe/01-52-54-00-20-00-11.ipxe")
        #expect(bootFile(ipxe, mac: MACAddress("52:54:00:99:00:01")!) == "ipxe/default.ipxe")
        #expect(bootFile({ $0.options[.ipxeEncapsulated] = [1, 1, 1] }) == "ipxe/01-52-54-00-20-00-11.ipxe")
    }

    @Test func givesIPXEItsScriptAsAnHTTPURLWhenTheHTTPServiceRuns() {
        var configuration = F.configuration
        configuration.bootFiles.httpServicePort = 8080
        var engine = DHCPEngine(configuration: configuration)
        let decision = engine.handle(
            F.request(.discover, mac: F.knownMAC) { $0.options[.userClass] = Array("iPXE".utf8) }, arrival: F.onLink,
            inventory: F.inventory, now: F.now)
        let file = decision.reply.map { String(decoding: $0.message.bootFileName, as: UTF8.self) }
        #expect(file == "http://\(F.server):8080/ipxe/01-52-54-00-20-00-11.ipxe")
        configuration.bootFiles.httpServicePort = 80
        engine = DHCPEngine(configuration: configuration)
        let onDefaultPort = engine.handle(
            F.request(.discover, mac: F.knownMAC) { $0.options[.userClass] = Array("iPXE".utf8) }, arrival: F.onLink,
            inventory: F.inventory, now: F.now)
        #expect(
            onDefaultPort.reply.map { String(decoding: $0.message.bootFileName, as: UTF8.self) }
                == "http://\(F.server)/ipxe/01-52-54-00-20-00-11.ipxe")
    }

    @Test func answersUEFIHTTPBootWithAURLAndHTTPClient() throws {
        var engine = F.engine()
        let decision = engine.handle(
            F.request(.discover) {
                $0.options.vendorClassIdentifier = "HTTPClient:Arch:00016:UNDI:003001"
                $0.options[.clientArchitecture] = [0, 16]
            }, arrival: F.onLink, inventory: F.inventory, now: F.now)
        let offer = try #require(decision.reply?.message)
        #expect(String(decoding: offer.bootFileName, as: UTF8.self) == "http://10.20.0.2/boot/ipxe.efi")
        #expect(offer.options.vendorClassIdentifier == "HTTPClient")
        #expect(decision.event.architecture == "efi-x64-http")
    }

    @Test func answersRelayedRequestsAtTheRelayAndEchoesOption82Last() throws {
        var engine = F.engine()
        let relayed = DHCPArrival(
            interface: "veth0", serverAddress: F.server,
            sourceAddress: IPv4Address("10.30.0.1")!, sourcePort: 67)
        let agentInformation: [UInt8] = [1, 6, 0, 4, 0, 1, 0, 7, 2, 6, 0, 0x52, 0x54, 0, 1, 2]
        let decision = engine.handle(
            F.request(.discover, mac: MACAddress("52:54:00:30:00:31")!) {
                $0.gatewayAddress = IPv4Address("10.30.0.1")!
                $0.hops = 1
                $0.options[.relayAgentInformation] = agentInformation
            }, arrival: relayed, inventory: F.inventory, now: F.now)
        let reply = try #require(decision.reply)
        #expect(reply.destination == .relay(IPv4Address("10.30.0.1")!))
        #expect(reply.message.yourAddress == IPv4Address("10.30.0.100"))
        #expect(reply.message.gatewayAddress == IPv4Address("10.30.0.1"))
        #expect(reply.message.options[.router] == [10, 30, 0, 1])
        #expect(reply.message.options.codes.last == .relayAgentInformation)
        #expect(reply.message.options[.relayAgentInformation] == agentInformation)
    }

    @Test func proxyModeGivesBootInformationOnlyToNetworkBootClients() throws {
        var configuration = F.configuration
        configuration.subnets[0].mode = .proxy
        configuration.subnets[0].pools = []
        var engine = DHCPEngine(configuration: configuration)
        let decision = engine.handle(
            F.request(.discover, F.pxe(architecture: 0)), arrival: F.onLink,
            inventory: F.inventory, now: F.now)
        let offer = try #require(decision.reply)
        #expect(offer.message.yourAddress.rawValue == 0)
        #expect(offer.message.broadcastFlag)
        #expect(offer.destination == .broadcast)
        #expect(offer.message.options.leaseTime == nil)
        #expect(offer.message.options.vendorClassIdentifier == "PXEClient")
        #expect(offer.message.options[.vendorSpecific] == [6, 1, 8, 255])
        #expect(offer.message.bootFileName == Array("pxelinux.0".utf8))
        #expect(offer.message.options[.clientMachineIdentifier] != nil)
        #expect(engine.leases.count == 0)

        let plain = engine.handle(F.request(.discover), arrival: F.onLink, inventory: F.inventory, now: F.now)
        #expect(plain.reply == nil && plain.event.kind == .ignored)
        let request = engine.handle(
            F.request(.request, F.pxe(architecture: 0)), arrival: F.onLink,
            inventory: F.inventory, now: F.now)
        #expect(request.reply == nil)
    }

    @Test func proxyModeCanSendUEFIClientsToTheBootServer() throws {
        var configuration = F.configuration
        configuration.subnets[0].mode = .proxy
        configuration.subnets[0].proxyEFIStrategy = .bootServer
        var engine = DHCPEngine(configuration: configuration)
        let efi = try #require(
            engine.handle(
                F.request(.discover, F.pxe(architecture: 7)), arrival: F.onLink,
                inventory: F.inventory, now: F.now
            ).reply)
        #expect(efi.message.options[.vendorSpecific] == nil)
        let bios = try #require(
            engine.handle(
                F.request(.discover, F.pxe(architecture: 0)), arrival: F.onLink,
                inventory: F.inventory, now: F.now
            ).reply)
        #expect(bios.message.options[.vendorSpecific] == [6, 1, 8, 255])
    }

    @Test func bootServerAnswersOnPort4011ToTheClientItself() throws {
        var engine = F.engine()
        let client = IPv4Address("10.20.0.150")!
        let arrival = DHCPArrival(
            interface: "veth0", serverAddress: F.server, sourceAddress: client,
            sourcePort: 4011, isBootServerPort: true)
        let decision = engine.handle(
            F.request(.request) {
                F.pxe(architecture: 7)(&$0)
                $0.clientAddress = client
                $0.options[.vendorSpecific] = [71, 4, 0x80, 0x00, 0x00, 0x00, 255]
            }, arrival: arrival, inventory: F.inventory, now: F.now)
        let ack = try #require(decision.reply)
        #expect(ack.destination == .unicast(client, port: 4011))
        #expect(ack.message.options.messageType == .acknowledgement)
        #expect(ack.message.bootFileName == Array("syslinux.efi".utf8))
        #expect(ack.message.options[.vendorSpecific] == [71, 4, 0x80, 0x00, 0x00, 0x00, 255])
        #expect(engine.leases.count == 0)
        #expect(decision.event.address == nil, "no lease: the log must not name an address as handed out")
        #expect(decision.event.clientAddress == client)

        let credentials = engine.handle(
            F.request(.request) {
                F.pxe(architecture: 7)(&$0)
                $0.options[.vendorSpecific] = [71, 4, 0x80, 0x00, 0x80, 0x00, 255]
            }, arrival: arrival, inventory: F.inventory, now: F.now)
        #expect(credentials.event.kind == .dropped && credentials.reply == nil)
    }
}
