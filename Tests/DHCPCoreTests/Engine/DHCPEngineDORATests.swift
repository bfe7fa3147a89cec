import Inventory
import Testing

@testable import DHCPCore

@Suite struct DHCPEngineDORATests {
    typealias F = EngineFixture

    @Test func offersAKnownMachineItsReservationWithBootInformation() throws {
        var engine = F.engine()
        let decision = engine.handle(
            F.request(.discover, F.pxe(architecture: 0)), arrival: F.onLink,
            inventory: F.inventory, now: F.now)
        let reply = try #require(decision.reply)
        #expect(decision.event.kind == .offered)
        #expect(decision.event.hostname == "web-01" && decision.event.profile == "web-01.yaml")
        #expect(decision.event.architecture == "bios")
        // The offer's hold: kept by a shared store only, so that other appliances cannot offer the address.
        #expect(
            decision.leaseChange
                == .hold(
                    Lease(
                        address: IPv4Address("10.20.0.11")!, mac: MACAddress("52:54:00:20:00:11")!, state: .offered,
                        expiry: F.now + 60, hostname: "web-01")))
        #expect(decision.leaseChange?.concernsSharedStoresOnly == true)
        #expect(reply.destination == .broadcast)
        let offer = reply.message
        #expect(offer.operation == .bootReply && offer.transactionID == 0x1234)
        #expect(offer.yourAddress == IPv4Address("10.20.0.11"))
        #expect(offer.serverAddress == F.server)
        #expect(offer.bootFileName == Array("pxelinux.0".utf8))
        #expect(offer.options.messageType == .offer)
        #expect(offer.options.serverIdentifier == F.server)
        #expect(offer.options.vendorClassIdentifier == "PXEClient")
        #expect(offer.options[.vendorSpecific] == [6, 1, 8, 255])
        #expect(offer.options[.clientMachineIdentifier] == [0] + Array(repeating: 0xab, count: 16))
        #expect(offer.options[.tftpServerName] == Array("10.20.0.2".utf8))
        #expect(offer.options[.bootFileName] == Array("pxelinux.0".utf8))
        #expect(offer.options.codes.prefix(5).map(\.rawValue) == [53, 54, 51, 58, 59])
    }

    @Test func acknowledgesTheSelectedOfferAfterStoringTheLease() throws {
        var engine = F.engine()
        _ = engine.handle(F.request(.discover), arrival: F.onLink, inventory: F.inventory, now: F.now)
        let decision = engine.handle(
            F.request(.request) {
                $0.options.serverIdentifier = F.server
                $0.options.requestedAddress = IPv4Address("10.20.0.11")
            }, arrival: F.onLink, inventory: F.inventory, now: F.now + 1)
        let ack = try #require(decision.reply?.message)
        #expect(ack.options.messageType == .acknowledgement)
        #expect(ack.yourAddress == IPv4Address("10.20.0.11"))
        #expect(ack.options.leaseTime == 3600)
        #expect(ack.options[.renewalTime] == bigEndianBytes(1800))
        #expect(ack.options[.rebindingTime] == bigEndianBytes(3150))
        guard case .bind(let lease) = decision.leaseChange else {
            Issue.record("an ACK must carry the lease to commit first")
            return
        }
        #expect(lease.address == IPv4Address("10.20.0.11") && lease.mac == F.knownMAC && lease.state == .bound)
        #expect(lease.expiry == F.now + 1 + 3600 && lease.hostname == "web-01")
        #expect(engine.leases.lease(for: F.knownMAC, at: F.now + 2)?.state == .bound)
    }

    @Test func givesUnknownMachinesDistinctPoolAddressesUntilThePoolRunsOut() {
        var engine = F.engine()
        var offered: [IPv4Address] = []
        for index in 1...4 {
            let mac = MACAddress(octets: [0x52, 0x54, 0, 0x99, 0, UInt8(index)])
            let decision = engine.handle(
                F.request(.discover, mac: mac), arrival: F.onLink, inventory: F.inventory,
                now: F.now)
            if let address = decision.reply?.message.yourAddress { offered.append(address) }
            if index == 4 {
                #expect(decision.event.kind == .poolExhausted && decision.reply == nil)
                #expect(decision.event.reason == "no free address in the pools of 10.20.0.0/24")
                #expect(decision.event.source == "pool 10.20.0.0/24")
            }
        }
        #expect(offered.map(\.description) == ["10.20.0.100", "10.20.0.101", "10.20.0.102"])
        let later = engine.handle(
            F.request(.discover, mac: MACAddress("52:54:00:99:00:04")!), arrival: F.onLink,
            inventory: F.inventory, now: F.now + engine.configuration.offerHoldTime + 1)
        #expect(later.reply?.message.yourAddress == IPv4Address("10.20.0.100"))
    }

    @Test func poolSearchResumesAfterTheLastOfferAndWrapsAround() {
        var engine = F.engine()
        let first = MACAddress("52:54:00:99:00:01")!
        let offered = engine.handle(
            F.request(.discover, mac: first), arrival: F.onLink, inventory: F.inventory,
            now: F.now)
        #expect(offered.reply?.message.yourAddress == IPv4Address("10.20.0.100"))
        // The first client's offer lapses; the next client still gets the next address, not the lapsed one.
        let later = F.now + engine.configuration.offerHoldTime + 1
        let second = engine.handle(
            F.request(.discover, mac: MACAddress("52:54:00:99:00:02")!), arrival: F.onLink,
            inventory: F.inventory, now: later)
        #expect(second.reply?.message.yourAddress == IPv4Address("10.20.0.101"))
        let third = engine.handle(
            F.request(.discover, mac: MACAddress("52:54:00:99:00:03")!), arrival: F.onLink,
            inventory: F.inventory, now: later)
        #expect(third.reply?.message.yourAddress == IPv4Address("10.20.0.102"))
        // Past the end of the pool the search wraps around to the lapsed 10.20.0.100.
        let fourth = engine.handle(
            F.request(.discover, mac: MACAddress("52:54:00:99:00:04")!), arrival: F.onLink,
            inventory: F.inventory, now: later)
        #expect(fourth.reply?.message.yourAddress == IPv4Address("10.20.0.100"))
    }

    @Test func poolSearchFromAStartCoversEveryPoolOnce() {
        let pools = [IPv4Range("10.20.0.10-10.20.0.12")!, IPv4Range("10.20.0.20-10.20.0.21")!]
        let mac = MACAddress("52:54:00:99:00:01")!
        var table = LeaseTable()
        var visited: [String] = []
        let none = table.firstAvailable(in: pools, startingAt: IPv4Address("10.20.0.11"), for: mac, at: 0) {
            visited.append($0.description)
            return true
        }
        #expect(none == nil)
        #expect(visited == ["10.20.0.11", "10.20.0.12", "10.20.0.20", "10.20.0.21", "10.20.0.10"])
        table.record(
            Lease(
                address: IPv4Address("10.20.0.20")!, mac: MACAddress("52:54:00:99:00:02")!, state: .bound,
                expiry: 100, clientIdentifier: nil, hostname: nil))
        let between = table.firstAvailable(in: pools, startingAt: IPv4Address("10.20.0.15"), for: mac, at: 0) { _ in
            false
        }
        #expect(between == IPv4Address("10.20.0.21"))
    }

    @Test func keysOnTheMACWhateverTheClientIdentifier() {
        var engine = F.engine()
        let mac = MACAddress("52:54:00:99:00:01")!
        let first = engine.handle(
            F.request(.discover, mac: mac) { $0.options[.clientIdentifier] = [1, 2, 3] },
            arrival: F.onLink, inventory: F.inventory, now: F.now)
        let second = engine.handle(
            F.request(.discover, mac: mac) { $0.options[.clientIdentifier] = [0xff, 9] },
            arrival: F.onLink, inventory: F.inventory, now: F.now + 5)
        #expect(first.reply?.message.yourAddress == second.reply?.message.yourAddress)
    }

    @Test func withdrawsItsOfferWhenTheClientChoosesAnotherServer() {
        var engine = F.engine()
        let mac = MACAddress("52:54:00:99:00:01")!
        _ = engine.handle(F.request(.discover, mac: mac), arrival: F.onLink, inventory: F.inventory, now: F.now)
        let decision = engine.handle(
            F.request(.request, mac: mac) {
                $0.options.serverIdentifier = IPv4Address("10.20.0.250")
                $0.options.requestedAddress = IPv4Address("10.20.0.77")
            }, arrival: F.onLink, inventory: F.inventory, now: F.now + 1)
        #expect(decision.reply == nil && decision.event.kind == .ignored)
        #expect(engine.leases.lease(on: IPv4Address("10.20.0.100")!, at: F.now + 1) == nil)
    }

    @Test func renewsByUnicastToTheClient() throws {
        var engine = F.engine()
        let decision = engine.handle(
            F.request(.request) { $0.clientAddress = IPv4Address("10.20.0.11")! },
            arrival: F.onLink, inventory: F.inventory, now: F.now)
        let reply = try #require(decision.reply)
        #expect(reply.message.options.messageType == .acknowledgement)
        #expect(reply.message.clientAddress == IPv4Address("10.20.0.11"))
        #expect(reply.destination == .unicast(IPv4Address("10.20.0.11")!, port: 68))
    }

    @Test func naksAddressesThatAreNotTheClientsWhenAuthoritative() throws {
        var engine = F.engine()
        let wrongNetwork = engine.handle(
            F.request(.request) { $0.options.requestedAddress = IPv4Address("192.0.2.5") },
            arrival: F.onLink, inventory: F.inventory, now: F.now)
        #expect(wrongNetwork.reply?.message.options.messageType == .negativeAcknowledgement)
        #expect(wrongNetwork.reply?.destination == .broadcast)
        #expect(wrongNetwork.event.reason == "192.0.2.5 is not on 10.20.0.0/24")
        let notItsOwn = engine.handle(
            F.request(.request) { $0.options.requestedAddress = IPv4Address("10.20.0.100") },
            arrival: F.onLink, inventory: F.inventory, now: F.now)
        #expect(notItsOwn.event.reason == "10.20.0.100 is not this machine's address 10.20.0.11")
        let outsidePool = engine.handle(
            F.request(.request, mac: MACAddress("52:54:00:99:00:01")!) {
                $0.options.requestedAddress = IPv4Address("10.20.0.50")
            }, arrival: F.onLink, inventory: F.inventory, now: F.now)
        #expect(outsidePool.reply?.message.options.messageType == .negativeAcknowledgement)

        let relay = IPv4Address("10.30.0.1")!
        let relayed = engine.handle(
            F.request(.request) {
                $0.gatewayAddress = relay
                $0.options.requestedAddress = IPv4Address("10.30.0.250")
            },
            arrival: DHCPArrival(interface: "veth0", serverAddress: F.server, sourceAddress: relay, sourcePort: 67),
            inventory: F.inventory, now: F.now)
        #expect(relayed.reply?.message.options.messageType == .negativeAcknowledgement)
        #expect(relayed.reply?.destination == .relay(relay))
        #expect(relayed.event.relay == relay, "the log names the relay a request came through")
        #expect(relayed.reply?.message.broadcastFlag == true, "RFC 2131 §4.3.2: the relay must broadcast a NAK")
        #expect(wrongNetwork.reply?.message.broadcastFlag == false, "on-link NAKs are broadcast anyway")

        engine.configuration.authoritative = false
        let silent = engine.handle(
            F.request(.request) { $0.options.requestedAddress = IPv4Address("10.20.0.100") },
            arrival: F.onLink, inventory: F.inventory, now: F.now)
        #expect(silent.reply == nil && silent.event.kind == .ignored)
    }

    @Test func grantsAFreePoolAddressItHasNoRecordOf() {
        var engine = F.engine()
        let decision = engine.handle(
            F.request(.request, mac: MACAddress("52:54:00:99:00:01")!) {
                $0.options.requestedAddress = IPv4Address("10.20.0.101")
            }, arrival: F.onLink, inventory: F.inventory, now: F.now)
        #expect(decision.reply?.message.yourAddress == IPv4Address("10.20.0.101"))
        #expect(decision.event.kind == .acknowledged)
    }

    @Test func releaseFreesAndDeclineQuarantines() {
        var engine = F.engine()
        let mac = MACAddress("52:54:00:99:00:01")!
        _ = engine.handle(
            F.request(.request, mac: mac) { $0.options.requestedAddress = IPv4Address("10.20.0.100") },
            arrival: F.onLink, inventory: F.inventory, now: F.now)
        let release = engine.handle(
            F.request(.release, mac: mac) { $0.clientAddress = IPv4Address("10.20.0.100")! },
            arrival: F.onLink, inventory: F.inventory, now: F.now + 10)
        #expect(release.event.kind == .released && release.reply == nil)
        guard case .release = release.leaseChange else {
            Issue.record("a release must be stored")
            return
        }
        #expect(engine.leases.lease(on: IPv4Address("10.20.0.100")!, at: F.now + 10) == nil)

        _ = engine.handle(F.request(.discover, mac: mac), arrival: F.onLink, inventory: F.inventory, now: F.now + 20)
        let decline = engine.handle(
            F.request(.decline, mac: mac) {
                $0.options.requestedAddress = IPv4Address("10.20.0.100")
            }, arrival: F.onLink, inventory: F.inventory, now: F.now + 21)
        #expect(decline.event.kind == .declined)
        let next = engine.handle(
            F.request(.discover, mac: mac), arrival: F.onLink, inventory: F.inventory,
            now: F.now + 22)
        #expect(next.reply?.message.yourAddress == IPv4Address("10.20.0.101"))
        // Once its quarantine is over the address can be given again (the pool search resumes after 10.20.0.101,
        // so ask for it).
        let afterQuarantine = engine.handle(
            F.request(.discover, mac: MACAddress("52:54:00:99:00:02")!) {
                $0.options.requestedAddress = IPv4Address("10.20.0.100")
            }, arrival: F.onLink, inventory: F.inventory,
            now: F.now + 21 + engine.configuration.declineQuarantineTime + 1)
        #expect(afterQuarantine.reply?.message.yourAddress == IPv4Address("10.20.0.100"))
    }

    @Test func informGetsConfigurationWithoutAnAddress() throws {
        var engine = F.engine()
        let decision = engine.handle(
            F.request(.inform) { $0.clientAddress = IPv4Address("10.20.0.50")! },
            arrival: F.onLink, inventory: F.inventory, now: F.now)
        let ack = try #require(decision.reply)
        #expect(ack.message.yourAddress.rawValue == 0)
        #expect(ack.message.options.leaseTime == nil)
        #expect(ack.message.options[.router] == [10, 20, 0, 1])
        #expect(ack.destination == .unicast(IPv4Address("10.20.0.50")!, port: 68))
    }

    @Test func honoursTheParameterRequestListOrderAndOption57() throws {
        var engine = F.engine()
        let decision = engine.handle(
            F.request(.discover) {
                $0.options[.parameterRequestList] = [15, 6, 3, 1]
                $0.options[.maximumMessageSize] = [0x05, 0xdc]
            }, arrival: F.onLink, inventory: F.inventory, now: F.now)
        let reply = try #require(decision.reply)
        #expect(reply.message.options.codes.map(\.rawValue) == [53, 54, 51, 58, 59, 15, 6, 3, 1])
        #expect(reply.maximumLength == 1472)
        #expect(reply.message.bootFileName.isEmpty, "no boot file for a client that is not network-booting")
    }

    @Test func dropsWhatIsNotAUsableRequest() {
        var engine = F.engine()
        var noType = F.request(.discover)
        noType.options.messageType = nil
        #expect(engine.handle(noType, arrival: F.onLink, inventory: F.inventory, now: F.now).event.kind == .dropped)
        var tokenRing = F.request(.discover)
        tokenRing.hardwareType = 6
        #expect(engine.handle(tokenRing, arrival: F.onLink, inventory: F.inventory, now: F.now).event.kind == .dropped)
        var reply = F.request(.discover)
        reply.operation = .bootReply
        #expect(engine.handle(reply, arrival: F.onLink, inventory: F.inventory, now: F.now).event.kind == .dropped)
        let elsewhere = DHCPArrival(
            interface: "eth9", serverAddress: IPv4Address("192.0.2.1")!,
            sourceAddress: IPv4Address(rawValue: 0), sourcePort: 68)
        #expect(
            engine.handle(F.request(.discover), arrival: elsewhere, inventory: F.inventory, now: F.now).event.kind
                == .ignored)
    }

    @Test func everyReplyCarriesTheClientIdentifierBackUnaltered() throws {
        var engine = F.engine()
        let clientID: [UInt8] = [0xff, 0x00, 0x01, 0x02, 0x03, 0x04]
        let offer = try #require(
            engine.handle(
                F.request(.discover, mac: F.knownMAC) { $0.options[.clientIdentifier] = clientID },
                arrival: F.onLink, inventory: F.inventory, now: F.now
            ).reply)
        #expect(offer.message.options[.clientIdentifier] == clientID)
        let nak = try #require(
            engine.handle(
                F.request(.request, mac: F.knownMAC) {
                    $0.options[.clientIdentifier] = clientID
                    $0.clientAddress = IPv4Address("10.20.0.99")!
                }, arrival: F.onLink, inventory: F.inventory, now: F.now
            ).reply)
        #expect(nak.message.options.messageType == .negativeAcknowledgement)
        #expect(nak.message.options[.clientIdentifier] == clientID)
        let plain = try #require(
            engine.handle(F.request(.discover, mac: F.knownMAC), arrival: F.onLink, inventory: F.inventory, now: F.now)
                .reply)
        #expect(plain.message.options[.clientIdentifier] == nil, "none sent, none returned")
    }
}
