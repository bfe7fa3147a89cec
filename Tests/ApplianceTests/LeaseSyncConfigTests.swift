import DHCPCore
import DHCPService
import Inventory
import Testing

@testable import Appliance

/// `dhcp.lease_sync`: `full` unless set, `normal` when asked, anything else an error with its position.
struct LeaseSyncConfigTests {
    func parse(_ dhcp: String) -> (config: ApplianceConfig?, errors: [String]) { parseDHCPSection(dhcp) }

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
