/// The answer files of one machine, ready to render when the machine asks (docs/profiles.md, "Answer files").
///
/// Everything known at load time is in `values`; what only a request tells (the address the machine asks from, the
/// NIC, the subnet's settings for that address, the current install token) is added by `render`.
public struct MachineAnswerFiles: Sendable {
    public var hostname: String
    public var macs: [MACAddress]
    public var fixedIP: IPv4Address?
    /// Template defaults, profile variables and the load-time built-ins (`hostname`, `server`, `http`, …).
    public var values: [String: String]
    public var files: [String: TemplateText]
}

/// A subnet's settings as answer files see them (`{{netmask}}`, `{{gateway}}`, `{{dns}}`, `{{domain}}`).
public struct AnswerFileSubnet: Sendable, Hashable {
    public var network: IPv4Network
    public var router: IPv4Address?
    public var dnsServers: [IPv4Address]
    public var domain: String?

    public init(network: IPv4Network, router: IPv4Address?, dnsServers: [IPv4Address], domain: String?) {
        self.network = network
        self.router = router
        self.dnsServers = dnsServers
        self.domain = domain
    }
}

/// The outcome of a request for an answer file: the text, or why not (each a status the HTTP service sends).
public enum AnswerFileOutcome: Sendable, Hashable {
    case rendered(String)
    /// 404: no such machine, or its template has no such file.
    case notFound(String)
    /// 403: the request did not come from the machine's own address.
    case forbidden(String)
}

/// Placeholder names with a meaning fixed by Rackboot, beyond `InventoryBuilder.builtinVariables`.
public enum AnswerFileVariables {
    /// Filled only when an answer file is rendered for a request.
    public static let answerFileOnly = ["netmask", "prefix_length", "gateway", "dns", "domain", "callback_url"]
    /// Need the HTTP service: its base URL and the machine's answer-file folder.
    public static let http = ["http", "files_url"]

}

/// The URLs of Rackboot's HTTP service that machines are handed.
public enum ServiceURL {
    /// `http://<server>` or `http://<server>:<port>`: what `{{http}}` renders to.
    public static func base(server: IPv4Address, port: Int) -> String {
        port == 80 ? "http://\(server)" : "http://\(server):\(port)"
    }

    /// The URL under which a machine's answer files are served: `{{files_url}}`.
    public static func files(base: String, hostname: String) -> String {
        base + "/files/" + hostname
    }

    /// The install callback of `hostname` with `token`: `{{callback_url}}`.
    public static func callback(base: String, hostname: String, token: String) -> String {
        base + "/callback/" + hostname + "/" + token
    }
}

extension MachineAnswerFiles {
    /// Whether `client` is the machine: its fixed address, or an address DHCP leased to one of its MACs (the same
    /// rule as `Machine.isOwnAddress`, on the copy of the machine's addresses this value carries).
    public func isOwnAddress(_ client: IPv4Address, macAtClient: MACAddress?) -> Bool {
        Machine.isOwnAddress(client, macAtClient: macAtClient, fixedIP: fixedIP, macs: macs)
    }

    /// Renders `name` for a request from `client`, whose NIC DHCP last saw at that address is `macAtClient`.
    ///
    /// Only the machine itself may have its answer files: the request must come from its fixed address, or from an
    /// address DHCP leased to one of its MACs. They hold its install token and often credentials.
    public func render(
        _ name: String, client: IPv4Address, macAtClient: MACAddress?, callbackURL: String,
        subnets: [AnswerFileSubnet]
    ) -> AnswerFileOutcome {
        guard let text = files[name] else { return .notFound("\(hostname) has no answer file '\(name)'") }
        guard isOwnAddress(client, macAtClient: macAtClient) else {
            return .forbidden("\(client) is not \(hostname)'s address")
        }
        var values = self.values
        values["ip"] = client.description
        values["mac"] = (macAtClient ?? macs.first)?.description ?? ""
        values["callback_url"] = callbackURL
        let subnet = subnets.first { $0.network.contains(client) }
        values["netmask"] = subnet?.network.netmask.description ?? ""
        values["prefix_length"] = subnet.map { "\($0.network.prefixLength)" } ?? ""
        values["gateway"] = subnet?.router?.description ?? ""
        values["dns"] = subnet?.dnsServers.map(\.description).joined(separator: ",") ?? ""
        values["domain"] = subnet?.domain ?? ""
        return .rendered(text.expand(values))
    }
}
