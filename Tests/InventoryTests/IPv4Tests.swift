import Testing

@testable import Inventory

@Suite struct IPv4Tests {
    @Test func parsesDottedQuadAndNamesItInHex() throws {
        let address = try #require(IPv4Address("10.20.0.11"))
        #expect(address.rawValue == 0x0a14_000b)
        #expect(address.description == "10.20.0.11")
        #expect(address.hexName == "0A14000B")
        #expect(IPv4Address("192.0.2.91")?.hexName == "C000025B")
    }

    @Test(arguments: [
        "", "10.20.0", "10.20.0.256", "10.20.0.-1", "010.20.0.1", "10.20.0.1.", "a.b.c.d",
        " 10.20.0.1", "10.20.0.1/24", "1e1.0.0.1",
    ])
    func rejectsMalformedAddresses(text: String) {
        #expect(IPv4Address(text) == nil)
    }

    @Test func parsesNetworksAndExplainsHostBits() throws {
        let network = try IPv4Network.parse("10.20.0.0/24").get()
        #expect(network.contains(IPv4Address("10.20.0.200")!))
        #expect(!network.contains(IPv4Address("10.20.1.1")!))
        #expect(network.netmask.description == "255.255.255.0")
        #expect(network.broadcastAddress.description == "10.20.0.255")
        #expect(!network.isUsableHost(IPv4Address("10.20.0.0")!))
        #expect(!network.isUsableHost(IPv4Address("10.20.0.255")!))
        #expect(network.isUsableHost(IPv4Address("10.20.0.1")!))
        #expect(IPv4Network.parse("10.20.0.5/24") == .failure(.hostBitsSet("10.20.0.5/24", suggestion: "10.20.0.0/24")))
        #expect(IPv4Network.parse("10.20.0.0/33") == .failure(.malformed("10.20.0.0/33")))
        #expect(IPv4Network.parse("10.20.0.0/") == .failure(.malformed("10.20.0.0/")))
        #expect(try IPv4Network.parse("10.0.0.0/8").get().overlaps(try IPv4Network.parse("10.20.0.0/24").get()))
    }

    @Test func parsesPoolRanges() throws {
        let pool = try #require(IPv4Range("10.20.0.100-10.20.0.199"))
        #expect(pool.count == 100)
        #expect(pool.contains(IPv4Address("10.20.0.150")!))
        #expect(IPv4Range("10.20.0.100 - 10.20.0.101")?.count == 2)
        #expect(IPv4Range("10.20.0.199-10.20.0.100") == nil)
        #expect(IPv4Range("10.20.0.100") == nil)
        #expect(pool.overlaps(IPv4Range("10.20.0.199-10.20.0.210")!))
        #expect(!pool.overlaps(IPv4Range("10.20.0.200-10.20.0.210")!))
    }
}
