import DHCPCore
import DHCPService
import Inventory

/// Reads the `dhcp:` section and its subnets, and checks them against each other.
enum SubnetParser {
    static let subnetKeys = [
        "network", "interface", "mode", "pools", "router", "dns_servers", "domain", "lease_time", "next_server",
        "proxy_efi", "rate_limit",
    ]

    static func parseDHCP(_ reader: MappingReader, collector: DiagnosticCollector) -> DHCPSettings? {
        var dhcp = DHCPSettings()
        guard
            let section = reader.mapping(
                "dhcp", describing: "'dhcp'",
                allowedKeys: [
                    "port", "authoritative", "lease_time", "lease_sync",
                    "rate_limit", "subnets",
                ])
        else { return dhcp }
        if let port = section.integer("port", in: 1...65535) { dhcp.port = port.value }
        if let authoritative = section.boolean("authoritative") { dhcp.authoritative = authoritative.value }
        // DHCP lease times are 32-bit seconds (RFC 2132 §9.2); 0xffffffff means infinite, which Rackboot never gives.
        if let leaseTime = section.duration("lease_time", in: 60...(365 * 86400)) { dhcp.leaseTime = leaseTime.value }
        if let sync = section.choice("lease_sync", among: LeaseDurability.allCases.map(\.rawValue)) {
            dhcp.leaseDurability = LeaseDurability(rawValue: sync.value) ?? .full
        }
        if let limits = RateLimitParser.section(section, allowedKeys: RateLimitParser.globalKeys) {
            dhcp.rateLimits.perMAC = RateLimitParser.setting("per_mac", in: limits, collector: collector)
                .applied(to: dhcp.rateLimits.perMAC)
            dhcp.rateLimits.perRelay = RateLimitParser.setting("per_relay", in: limits, collector: collector)
                .applied(to: dhcp.rateLimits.perRelay)
            if let tracked = limits.integer("tracked_macs", in: 100...10_000_000) {
                dhcp.rateLimitTrackedMACs = tracked.value
            }
        }
        for subnet in section.mappings("subnets", describing: "a subnet", allowedKeys: subnetKeys) {
            if let parsed = parseSubnet(subnet, collector: collector) {
                dhcp.subnets.append(parsed)
            }
        }
        checkOverlaps(dhcp.subnets, collector: collector)
        return dhcp
    }

    private static func parseSubnet(_ reader: MappingReader, collector: DiagnosticCollector) -> SubnetSettings? {
        guard let text = reader.string("network", required: true) else { return nil }
        let network: IPv4Network
        switch IPv4Network.parse(text.value) {
        case .success(let parsed): network = parsed
        case .failure(let problem):
            collector.error("\(problem)", at: text.location)
            return nil
        }
        var subnet = SubnetSettings(network: network, location: text.location)

        if let interface = reader.string("interface") {
            // Linux interface names: at most 15 bytes (IFNAMSIZ − 1), no '/', no white space.
            if interface.value.isEmpty || interface.value.utf8.count > 15
                || interface.value.contains(where: { $0 == "/" || $0.isWhitespace })
            {
                collector.error(
                    "'\(interface.value)' is not a Linux interface name (at most 15 characters, no '/' "
                        + "or spaces)", at: interface.location)
            }
            subnet.interface = interface.value
        }
        if let mode = reader.choice("mode", among: SubnetSettings.Mode.allCases.map(\.rawValue)) {
            subnet.mode = SubnetSettings.Mode(rawValue: mode.value) ?? .server
        }
        subnet.router = address("router", in: reader, collector: collector, mustBeIn: network)
        subnet.nextServer = address("next_server", in: reader, collector: collector, mustBeIn: nil)
        for item in reader.stringList("dns_servers") ?? [] {
            guard let server = IPv4Address(item.value) else {
                collector.error("'\(item.value)' is not an IPv4 address", at: item.location)
                continue
            }
            subnet.dnsServers.append(server)
        }
        if let domain = reader.string("domain") {
            if let problem = TextRules.hostnameProblem(domain.value) {
                collector.error("domain: \(problem)", at: domain.location)
            }
            subnet.domain = domain.value
        }
        subnet.leaseTime = reader.duration("lease_time", in: 60...(365 * 86400))?.value
        if let strategy = reader.choice("proxy_efi", among: ["direct", "boot-server"]) {
            subnet.proxyEFIStrategy = strategy.value
        }
        if let limits = RateLimitParser.section(reader, allowedKeys: RateLimitParser.subnetKeys) {
            subnet.perMACLimit = RateLimitParser.setting("per_mac", in: limits, collector: collector)
            subnet.perRelayLimit = RateLimitParser.setting("per_relay", in: limits, collector: collector)
        }
        subnet.pools = parsePools(reader, network: network, subnet: subnet, collector: collector)
        if subnet.mode == .proxy, let at = reader.locationOfKey("pools"), !subnet.pools.isEmpty {
            collector.error(
                "a proxy subnet hands out no addresses (the network's own DHCP server does); "
                    + "remove 'pools'", at: at)
        }
        return subnet
    }

    private static func parsePools(
        _ reader: MappingReader, network: IPv4Network, subnet: SubnetSettings,
        collector: DiagnosticCollector
    ) -> [IPv4Range] {
        var pools: [Located<IPv4Range>] = []
        for item in reader.stringList("pools") ?? [] {
            guard let pool = IPv4Range(item.value) else {
                collector.error(
                    "'\(item.value)' is not a pool such as 10.20.0.100-10.20.0.199 (first ≤ last)",
                    at: item.location)
                continue
            }
            guard network.isUsableHost(pool.first), network.isUsableHost(pool.last) else {
                collector.error("pool \(pool) is not inside the usable addresses of \(network)", at: item.location)
                continue
            }
            for reserved in [subnet.router, subnet.nextServer].compactMap({ $0 }) where pool.contains(reserved) {
                collector.error(
                    "pool \(pool) contains \(reserved), the \(reserved == subnet.router ? "router" : "boot server")",
                    at: item.location)
            }
            if let other = pools.first(where: { $0.value.overlaps(pool) }) {
                collector.error(
                    "pool \(pool) overlaps pool \(other.value)", at: item.location,
                    notes: [.init("the other pool", at: other.location)])
                continue
            }
            pools.append(Located(pool, at: item.location))
        }
        return pools.map(\.value)
    }

    private static func address(
        _ key: String, in reader: MappingReader, collector: DiagnosticCollector,
        mustBeIn network: IPv4Network?
    ) -> IPv4Address? {
        guard let text = reader.string(key) else { return nil }
        guard let address = IPv4Address(text.value) else {
            collector.error("'\(text.value)' is not an IPv4 address", at: text.location)
            return nil
        }
        if let network, !network.isUsableHost(address) {
            collector.error("\(key) \(address) is not a usable address in \(network)", at: text.location)
        }
        return address
    }

    private static func checkOverlaps(_ subnets: [SubnetSettings], collector: DiagnosticCollector) {
        for (index, subnet) in subnets.enumerated() {
            if let earlier = subnets[..<index].first(where: { $0.network.overlaps(subnet.network) }) {
                collector.error(
                    "subnet \(subnet.network) overlaps subnet \(earlier.network)", at: subnet.location,
                    notes: [.init("the other subnet", at: earlier.location)])
            }
        }
    }
}
