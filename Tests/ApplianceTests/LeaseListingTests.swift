import Appliance
import DHCPCore
import DHCPService
import Foundation
import Inventory
import Testing

@Suite struct LeaseListingTests {
    @Test func listsStoredLeasesAsJSONAndAsATable() throws {
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("state-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: state) }
        try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
        let outcome = RepositoryPaths.load(config: "docs/examples/rackboot.yaml")
        var config = try #require(outcome.config)
        config.stateDirectory = state.path
        #expect(try LeaseListing(config: config).entries.isEmpty)

        try SQLiteLeaseStore(path: state.path + "/leases.sqlite").commit([
            .bind(
                Lease(
                    address: IPv4Address("10.20.0.11")!, mac: MACAddress("52:54:00:20:00:11")!, state: .bound,
                    expiry: 4_102_444_800, clientIdentifier: [1, 0x52, 0x54], hostname: "web-01")),
            .bind(
                Lease(
                    address: IPv4Address("10.20.0.100")!, mac: MACAddress("52:54:00:99:00:01")!, state: .bound,
                    expiry: 1_000)),
        ])
        let listing = try LeaseListing(config: config)
        #expect(listing.entries.map(\.address) == ["10.20.0.100", "10.20.0.11"])
        let json = try listing.json()
        #expect(json.contains("\"client_id\" : \"015254\""))
        #expect(json.contains("\"expires\" : \"2100-01-01T00:00:00Z\""))
        let table = listing.table(now: 2_000).split(separator: "\n").map(String.init)
        #expect(table.count == 3)
        #expect(table[0].hasPrefix("ADDRESS"))
        #expect(table[1].contains("expired") && table[1].hasSuffix("-"))
        #expect(table[2].contains("bound") && table[2].hasSuffix("web-01"))
    }
}
