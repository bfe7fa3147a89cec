import Inventory
import Testing

@testable import DHCPCore

@Suite struct PoolUsageTests {
    @Test func countsActiveLeasesPerPoolAndExpiredOnesAsFree() throws {
        var rack = DHCPServedSubnet(
            network: try IPv4Network.parse("10.20.0.0/24").get(), nextServer: IPv4Address("10.20.0.2")!)
        rack.pools = [IPv4Range("10.20.0.100-10.20.0.109")!, IPv4Range("10.20.0.200-10.20.0.201")!]
        func mac(_ last: Int) -> MACAddress { MACAddress("52:54:00:20:00:\(last)")! }
        let leases = LeaseTable([
            Lease(address: IPv4Address("10.20.0.100")!, mac: mac(10), state: .bound, expiry: 2_000),
            Lease(address: IPv4Address("10.20.0.101")!, mac: mac(11), state: .offered, expiry: 2_000),
            Lease(address: IPv4Address("10.20.0.102")!, mac: mac(12), state: .quarantined, expiry: 2_000),
            Lease(address: IPv4Address("10.20.0.103")!, mac: mac(13), state: .bound, expiry: 500),
            Lease(address: IPv4Address("10.20.0.200")!, mac: mac(14), state: .bound, expiry: 2_000),
            // A fixed address outside every pool counts for none.
            Lease(address: IPv4Address("10.20.0.11")!, mac: mac(15), state: .bound, expiry: 2_000),
        ])
        let usage = PoolUsage.of([rack], leases: leases, at: 1_000)
        #expect(usage.map(\.pool.description) == ["10.20.0.100-10.20.0.109", "10.20.0.200-10.20.0.201"])
        #expect(usage.map(\.leased) == [1, 1])
        #expect(usage.map(\.held) == [2, 0])
        #expect(usage.map(\.free) == [7, 1])
    }
}
