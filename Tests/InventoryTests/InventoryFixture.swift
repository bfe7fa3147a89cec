@testable import Inventory

/// Builds inventories from in-memory files for tests: one subnet 10.20.0.0/24 (router .1, server .2, pool
/// .100-.199) and a TFTP root holding `os/linux` and `os/initrd`.
struct InventoryFixture {
    var profiles: [String: String] = [:]
    var templates: [String: String] = [
        "os": """
        description: Test OS
        kernel: os/linux
        initrds: [os/initrd]
        cmdline: host={{hostname}} mac={{mac}} server={{server}} role={{role}}
        variables:
          role: generic
        """
    ]
    var policy: UnknownMachinePolicy = .localBoot
    var existingBootFiles: Set<String> = ["os/linux", "os/initrd"]
    /// Answer-file sources by path under the templates folder.
    var templateFiles: [String: String] = [:]
    /// `nil`: the HTTP service is off.
    var httpPort: Int? = nil

    static let subnet = InventoryContext.Subnet(
        network: try! IPv4Network.parse("10.20.0.0/24").get(), nextServer: IPv4Address("10.20.0.2")!,
        router: IPv4Address("10.20.0.1")!, pools: [IPv4Range("10.20.0.100-10.20.0.199")!],
        location: SourceLocation(file: "rackboot.yaml", line: 9, column: 16))

    func build() -> (inventory: Inventory?, diagnostics: [Diagnostic]) {
        let collector = DiagnosticCollector()
        let files = existingBootFiles
        var subnet = Self.subnet
        subnet.dnsServers = [IPv4Address("10.20.0.53")!]
        subnet.domain = "rack.test"
        var context = InventoryContext(
            subnets: [subnet], defaultServer: IPv4Address("10.20.0.2")!,
            unknownMachinePolicy: policy, bootFileRootDescription: "tftproot/",
            bootFileExists: { files.contains($0) })
        context.httpPort = httpPort
        let sources = templateFiles
        context.readTemplateFile = { path in
            guard let text = sources[path] else { return .failure(TemplateFileReadError("no file \(path)")) }
            return .success(TemplateFileText(displayPath: "profiles/templates/" + path, text: text))
        }
        let inventory = InventoryBuilder.build(
            profiles: profiles.map { YAMLSource(path: "profiles/\($0.key).yaml", text: $0.value) },
            templates: templates.map { YAMLSource(path: "profiles/templates/\($0.key).yaml", text: $0.value) },
            context: context, collector: collector)
        return (inventory, collector.diagnostics.sortedByLocation())
    }

    /// `file:line:column: severity: message` lines, without notes.
    func diagnosticLines() -> [String] {
        build().diagnostics.map { "\($0.location): \($0.severity.rawValue): \($0.message)" }
    }
}

func profile(
    _ hostname: String, mac: String, ip: String? = nil, template: String = "os", state: String = "install",
    extra: String = ""
) -> String {
    """
    hostname: \(hostname)
    macs: [\(mac)]
    \(ip.map { "ip: \($0)" } ?? "# no fixed ip")
    template: \(template)
    state: \(state)
    \(extra)
    """
}
