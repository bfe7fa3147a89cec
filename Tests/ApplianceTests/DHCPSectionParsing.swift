import Inventory

@testable import Appliance

/// Parses a config whose `dhcp:` section is `dhcp` (indented lines), with the one `boot:` key every config needs;
/// returns the config (nil when it has errors) and the error diagnostics as text.
func parseDHCPSection(_ dhcp: String) -> (config: ApplianceConfig?, errors: [String]) {
    let text = "boot:\n  next_server: 10.20.0.2\ndhcp:\n" + dhcp
    let collector = DiagnosticCollector()
    let config = ConfigParser.parse(
        YAMLSource(path: "rackboot.yaml", text: text), resolvePath: { $0 },
        collector: collector)
    return (config, collector.diagnostics.filter { $0.severity == .error }.map(\.description))
}
