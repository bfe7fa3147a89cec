import Inventory

@testable import DHCPCore

/// A served rack for engine tests: 10.20.0.0/24 on `veth0` (server .2, router .1, pool .100-.102), a relayed
/// 10.30.0.0/24 (pool .100-.199), and an inventory with web-01 (fixed 10.20.0.11) and gw (state local, no IP).
enum EngineFixture {
    static let server = IPv4Address("10.20.0.2")!
    static let knownMAC = MACAddress("52:54:00:20:00:11")!
    static let localMAC = MACAddress("52:54:00:20:00:01")!
    static let now: Int64 = 1_800_000_000

    static var configuration: DHCPEngineConfiguration {
        var rack = DHCPServedSubnet(network: try! IPv4Network.parse("10.20.0.0/24").get(), nextServer: server)
        rack.interface = "veth0"
        rack.pools = [IPv4Range("10.20.0.100-10.20.0.102")!]
        rack.router = IPv4Address("10.20.0.1")
        rack.dnsServers = [IPv4Address("10.20.0.1")!]
        rack.domain = "rack1.example.net"
        rack.leaseTime = 3600
        var relayed = DHCPServedSubnet(network: try! IPv4Network.parse("10.30.0.0/24").get(), nextServer: server)
        relayed.pools = [IPv4Range("10.30.0.100-10.30.0.199")!]
        relayed.router = IPv4Address("10.30.0.1")
        return DHCPEngineConfiguration(
            subnets: [rack, relayed],
            bootFiles: DHCPBootFiles(
                bios: "pxelinux.0", efiX64: "syslinux.efi", efiARM64: "grubaa64.efi",
                httpBootURL: "http://10.20.0.2/boot/ipxe.efi"))
    }

    static let inventory: Inventory = {
        let collector = DiagnosticCollector()
        let context = InventoryContext(
            subnets: [
                .init(
                    network: try! IPv4Network.parse("10.20.0.0/24").get(), nextServer: server,
                    location: .startOf("config"))
            ],
            defaultServer: server, bootFileRootDescription: "root", bootFileExists: { _ in true })
        let inventory = InventoryBuilder.build(
            profiles: [
                YAMLSource(
                    path: "web-01.yaml",
                    text: "hostname: web-01\nmacs: [52:54:00:20:00:11]\nip: 10.20.0.11\n"
                        + "template: os\nstate: install"),
                YAMLSource(path: "gw.yaml", text: "hostname: gw\nmacs: [52:54:00:20:00:01]\nstate: local"),
            ],
            templates: [YAMLSource(path: "templates/os.yaml", text: "kernel: os/linux\ncmdline: host={{hostname}}")],
            context: context, collector: collector)
        precondition(inventory != nil, "\(collector.diagnostics)")
        return inventory!
    }()

    static let onLink = DHCPArrival(
        interface: "veth0", serverAddress: server,
        sourceAddress: IPv4Address(rawValue: 0), sourcePort: 68)

    /// A request from `mac` with the given type and options.
    static func request(
        _ type: DHCPMessageType, mac: MACAddress = knownMAC, xid: UInt32 = 0x1234,
        _ configure: (inout DHCPMessage) -> Void = { _ in }
    ) -> DHCPMessage {
        var message = DHCPMessage(operation: .bootRequest, transactionID: xid)
        message.clientMAC = mac
        message.options.messageType = type
        configure(&message)
        return message
    }

    /// What a PXE ROM adds: option 60 with its architecture, 93, 97 and the usual 55.
    static func pxe(architecture: UInt16) -> (inout DHCPMessage) -> Void {
        { message in
            message.options.vendorClassIdentifier = String(format: "PXEClient:Arch:%05d:UNDI:003016", architecture)
            message.options[.clientArchitecture] = [UInt8(architecture >> 8), UInt8(architecture & 0xff)]
            message.options[.clientMachineIdentifier] = [0] + Array(repeating: 0xab, count: 16)
            message.options[.parameterRequestList] = [1, 3, 43, 60, 66, 67, 97]
        }
    }

    static func engine() -> DHCPEngine { DHCPEngine(configuration: configuration) }
}
