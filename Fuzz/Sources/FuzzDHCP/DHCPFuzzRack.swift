import DHCPCore
import Inventory

/// The served rack every fuzz input meets, shaped like DHCPCoreTests' `EngineFixture`: 10.20.0.0/24 on `veth0` with a
/// small pool, a relayed 10.30.0.0/24, and an inventory holding web-01 (fixed 10.20.0.11, the MAC of the
/// `ipxe-bios-discover` seed) and gw (state local), so reservations, pools, relays and every boot-file choice are
/// reachable. A proxy-mode twin of the rack answers the same input as a proxyDHCP server beside another one.
enum DHCPFuzzRack {
    static let server = IPv4Address(rawValue: 0x0A14_0002)  // 10.20.0.2
    static let now: Int64 = 1_800_000_000

    static let serverMode = configuration(mode: .server)
    static let proxyMode = configuration(mode: .proxy)

    static let onLink = DHCPArrival(
        interface: "veth0", serverAddress: server,
        sourceAddress: IPv4Address(rawValue: 0), sourcePort: 68)
    static let bootServerPort = DHCPArrival(
        interface: "veth0", serverAddress: server,
        sourceAddress: IPv4Address(rawValue: 0x0A14_0064), sourcePort: 4011,
        isBootServerPort: true)

    static let inventory: Inventory = {
        let collector = DiagnosticCollector()
        let context = InventoryContext(
            subnets: [.init(network: network("10.20.0.0/24"), nextServer: server, location: .startOf("config"))],
            defaultServer: server, bootFileRootDescription: "root", bootFileExists: { _ in true })
        let inventory = InventoryBuilder.build(
            profiles: [
                YAMLSource(
                    path: "web-01.yaml",
                    text: "hostname: web-01\nmacs: [52:54:00:dc:00:04, 52:54:00:20:00:11]\n"
                        + "ip: 10.20.0.11\ntemplate: os\nstate: install"),
                YAMLSource(path: "gw.yaml", text: "hostname: gw\nmacs: [52:54:00:dc:00:05]\nstate: local"),
            ],
            templates: [YAMLSource(path: "templates/os.yaml", text: "kernel: os/linux\ncmdline: host={{hostname}}")],
            context: context, collector: collector)
        guard let inventory else { fatalError("the fuzz rack's inventory does not load: \(collector.diagnostics)") }
        return inventory
    }()

    private static func configuration(mode: DHCPServedSubnet.Mode) -> DHCPEngineConfiguration {
        var rack = DHCPServedSubnet(network: network("10.20.0.0/24"), nextServer: server)
        rack.interface = "veth0"
        rack.mode = mode
        rack.pools = [IPv4Range("10.20.0.100-10.20.0.102")!]
        rack.router = IPv4Address("10.20.0.1")
        rack.dnsServers = [IPv4Address("10.20.0.1")!]
        rack.domain = "rack1.example.net"
        rack.proxyEFIStrategy = .bootServer
        var relayed = DHCPServedSubnet(network: network("10.30.0.0/24"), nextServer: server)
        relayed.mode = mode
        relayed.pools = [IPv4Range("10.30.0.100-10.30.0.199")!]
        relayed.router = IPv4Address("10.30.0.1")
        return DHCPEngineConfiguration(
            subnets: [rack, relayed],
            bootFiles: DHCPBootFiles(
                bios: "pxelinux.0", efiX64: "syslinux.efi", efiARM64: "grubaa64.efi",
                httpBootURL: "http://10.20.0.2/boot/ipxe.efi"))
    }

    private static func network(_ text: String) -> IPv4Network {
        guard case .success(let network) = IPv4Network.parse(text) else { fatalError("bad network \(text)") }
        return network
    }
}
