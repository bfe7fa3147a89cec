import DHCP
import Inventory
import Testing

@testable import Appliance

/// `dhcp.lease_sync`: `full` unless set, `normal` when asked, anything else an error with its position.
struct LeaseSyncConfigTests {
    func parse(_ dhcp: String) -> (config: ApplianceConfig?, errors: [String]) {
        let text = "boot:\n  next_server: 10.20.0.2\ndhcp:\n" + dhcp
        let collector = DiagnosticCollector()
        let config = ConfigParser.parse(YAMLSource(path: "rackboot.yaml", text: text), resolvePath: { $0 },
                                        collector: collector)
        return (config, collector.diagnostics.filter { $0.severity == .error }.map(\.description))
    }

    @Test func fullUnlessSet() throws {
        #expect(try #require(parse("  lease_time: 600\n").config).dhcp.leaseDurability == .full)
    }

    @Test func normalWhenAsked() throws {
        #expect(try #require(parse("  lease_sync: normal\n").config).dhcp.leaseDurability == .normal)
    }

    @Test func anythingElseIsAnError() {
        let errors = parse("  lease_sync: fast\n").errors
        #expect(errors.count == 1)
        #expect(errors.first?.hasPrefix("rackboot.yaml:4:") == true)
        #expect(errors.first?.contains("full") == true)
    }
}
