import Inventory
import NIOCore
import Testing

@testable import DHCPCore

private typealias H = HostileDatagram

/// Every hostile datagram is either refused by the decoder with a typed error (the server counts it as malformed)
/// or decoded and dropped by the engine — never a trap, never an answer.
@Suite struct DHCPHostileDatagramTests {
    @Test func optionLengthsRunningPastTheEnd() {
        #expect(
            H.outcome(H.datagram(H.discover + [12, 200] + Array("host".utf8)))
                == .malformed(.optionOverrunsField(code: 12, length: 200, available: 4, field: .options)))
        #expect(
            H.outcome(H.datagram(H.discover + [61, 255]))
                == .malformed(.optionOverrunsField(code: 61, length: 255, available: 0, field: .options)))
        #expect(
            H.outcome(H.datagram(H.discover + [55]))
                == .malformed(.missingOptionLength(code: 55, field: .options)))
        // Inside overloaded fields: the last option of `file` and of `sname` claims more than the field holds.
        #expect(
            H.outcome(H.datagram(H.discover + [52, 1, 1, 255], file: Array(repeating: 0, count: 126) + [12, 9]))
                == .malformed(.optionOverrunsField(code: 12, length: 9, available: 0, field: .file)))
        #expect(
            H.outcome(H.datagram(H.discover + [52, 1, 2, 255], sname: Array(repeating: 0, count: 63) + [60]))
                == .malformed(.missingOptionLength(code: 60, field: .sname)))
    }

    @Test func overloadLoopsAndMalformedOverloads() {
        // `file` and `sname` each say "options continue in the other field" (and in themselves).
        #expect(
            H.outcome(H.datagram(H.discover + [52, 1, 3, 255], sname: [52, 1, 1, 255], file: [52, 1, 2, 255]))
                == .malformed(.overloadOutsideOptions(field: .file)))
        #expect(
            H.outcome(H.datagram(H.discover + [52, 1, 2, 255], sname: [52, 1, 2, 255]))
                == .malformed(.overloadOutsideOptions(field: .sname)))
        // Zero-length, too long, out of range, or repeated (RFC 3396 concatenates the two into one 2-byte value).
        #expect(H.outcome(H.datagram(H.discover + [52, 0, 255])) == .malformed(.badOverload([])))
        #expect(H.outcome(H.datagram(H.discover + [52, 2, 1, 2, 255])) == .malformed(.badOverload([1, 2])))
        #expect(H.outcome(H.datagram(H.discover + [52, 1, 0, 255])) == .malformed(.badOverload([0])))
        #expect(H.outcome(H.datagram(H.discover + [52, 1, 255, 255])) == .malformed(.badOverload([255])))
        #expect(H.outcome(H.datagram(H.discover + [52, 1, 1, 52, 1, 1, 255])) == .malformed(.badOverload([1, 1])))
        // Overload into an all-zero `file` is padding only: harmless, and the DISCOVER is answered.
        #expect(H.outcome(H.datagram(H.discover + [52, 1, 1, 255])) == .decided(.offered, reason: nil))
    }

    @Test func zeroLengthOptions() {
        #expect(H.outcome(H.datagram([53, 0, 255])) == .decided(.dropped, reason: "no DHCP message type"))
        // Two 53s concatenate into a 2-byte value, which is no message type either.
        #expect(H.outcome(H.datagram([53, 1, 1, 53, 1, 3, 255])) == .decided(.dropped, reason: "no DHCP message type"))
        #expect(
            H.outcome(H.datagram(H.discover + [82, 0, 255]))
                == .decided(.dropped, reason: "option 82 has no sub-options"))
        // 61, 93, 57, 55, 50, 54, 12, 60 and 77 empty: each is as good as absent.
        let empties: [UInt8] = [61, 0, 93, 0, 57, 0, 55, 0, 50, 0, 54, 0, 12, 0, 60, 0, 77, 0, 43, 0, 255]
        #expect(H.outcome(H.datagram(H.discover + empties)) == .decided(.offered, reason: nil))
        var engine = EngineFixture.engine()
        let request = H.datagram([53, 1, 3, 50, 4, 10, 20, 0, 100, 61, 0, 255])
        #expect(H.outcome(request, engine: &engine) == .decided(.acknowledged, reason: nil))
        #expect(engine.leases.leases.first?.clientIdentifier == nil)
    }

    @Test func oversizedAndTruncatedDatagrams() {
        let full = H.datagram(H.discover + [255])
        #expect(
            H.outcome(full + Array(repeating: 0, count: DHCPMessage.maximumLength - full.count))
                == .decided(.offered, reason: nil))
        #expect(
            H.outcome(full + Array(repeating: 0, count: DHCPMessage.maximumLength + 1 - full.count))
                == .malformed(.oversized(length: DHCPMessage.maximumLength + 1)))
        #expect(H.outcome(Array(repeating: 0xff, count: 65_507)) == .malformed(.oversized(length: 65_507)))
        for length in [0, 1, 27, 44, 235, 236, 239] {
            #expect(H.outcome(Array(full.prefix(length))) == .malformed(.truncated(length: length)))
        }
    }

    @Test func wrongHardwareTypesAndLengths() {
        #expect(
            H.outcome(H.datagram(H.discover, header: H.header(hlen: 17)))
                == .malformed(.hardwareAddressTooLong(17)))
        #expect(
            H.outcome(H.datagram(H.discover, header: H.header(hlen: 255)))
                == .malformed(.hardwareAddressTooLong(255)))
        for (htype, hlen) in [(1, 0), (1, 16), (1, 5), (6, 6), (32, 0), (0, 6)] as [(UInt8, UInt8)] {
            let outcome = H.outcome(H.datagram(H.discover, header: H.header(htype: htype, hlen: hlen)))
            let reason = "chaddr is not an Ethernet MAC (htype \(htype), hlen \(hlen))"
            #expect(outcome == .decided(.dropped, reason: reason))
        }
        #expect(
            H.outcome(H.datagram(H.discover, header: H.header(op: 2)))
                == .decided(.dropped, reason: "not a BOOTREQUEST"))
        #expect(H.outcome(H.datagram(H.discover, header: H.header(op: 0))) == .malformed(.unknownOperation(0)))
    }

    @Test func badMagicCookies() {
        for cookie: [UInt8] in [[0, 0, 0, 0], [99, 130, 83, 98], [0x63, 0x53, 0x82, 0x63]] {
            var bytes = H.datagram(H.discover)
            bytes.replaceSubrange(236..<240, with: cookie)
            #expect(H.outcome(bytes) == .malformed(.badMagicCookie(cookie)))
        }
    }

    @Test func relayAgentInformationWithBadSubOptions() {
        let relay = IPv4Address("10.30.0.1")!
        let arrival = DHCPArrival(
            interface: "veth0", serverAddress: EngineFixture.server, sourceAddress: relay,
            sourcePort: 67)
        var relayed = H.header()
        relayed.replaceSubrange(24..<28, with: relay.octets)
        func withAgent(_ value: [UInt8]) -> H.Outcome {
            H.outcome(
                H.datagram(H.discover + [82, UInt8(value.count)] + value + [255], header: relayed),
                arrival: arrival)
        }
        #expect(withAgent([1, 2, 0, 1, 2, 1, 9]) == .decided(.offered, reason: nil))
        #expect(
            withAgent([1, 10, 0, 1])
                == .decided(
                    .dropped, reason: "option 82 sub-option 1 claims 10 bytes but only 2 remain"))
        #expect(withAgent([1, 2, 0, 1, 2]) == .decided(.dropped, reason: "option 82 sub-option 2 has no length byte"))
        #expect(withAgent([1]) == .decided(.dropped, reason: "option 82 sub-option 1 has no length byte"))
    }

    @Test func pxeVendorOptionsWithBadSubOptions() {
        let client = IPv4Address("10.20.0.150")!
        let bootServer = DHCPArrival(
            interface: "veth0", serverAddress: EngineFixture.server, sourceAddress: client,
            sourcePort: 4011, isBootServerPort: true)
        let pxe = Array("PXEClient:Arch:00007:UNDI:003016".utf8)
        func request(_ vendor: [UInt8]) -> [UInt8] {
            H.datagram(
                [53, 1, 3, 60, UInt8(pxe.count)] + pxe + [93, 2, 0, 7, 43, UInt8(vendor.count)] + vendor
                    + [255])
        }
        #expect(
            H.outcome(request([71, 4, 0x80, 0, 0, 0, 255]), arrival: bootServer)
                == .decided(.acknowledged, reason: "boot server"))
        #expect(
            H.outcome(request([71, 40, 0x80, 0, 0, 0]), arrival: bootServer)
                == .decided(
                    .dropped, reason: "option 43: sub-option 71 claims 40 bytes but only 4 remain"))
        #expect(
            H.outcome(request([6, 1, 8, 71]), arrival: bootServer)
                == .decided(.dropped, reason: "option 43: sub-option 71 has no length byte"))
        // On port 67 option 43 from a client is not read, so broken contents cannot matter: the DISCOVER is
        // answered as if it were absent.
        var discover = request([71, 40, 0x80])
        discover[242] = 1
        #expect(H.outcome(discover) == .decided(.offered, reason: nil))
    }

    /// Thousands of random mutations of a valid DISCOVER through the decoder and the engine: every one ends in
    /// a typed error or a decision.
    @Test func randomMutationsNeverTrap() {
        var generator = SystemRandomNumberGenerator()
        var engine = EngineFixture.engine()
        let base = H.datagram(
            H.discover + [52, 1, 3, 61, 7, 1, 0x52, 0x54, 0, 0x99, 0, 1, 82, 4, 1, 2, 0, 1, 255],
            sname: [12, 3, 0x61, 0x62, 0x63, 255], file: [60, 9] + Array("PXEClient".utf8) + [255])
        var malformed = 0
        for _ in 0..<5000 {
            var bytes = base
            for _ in 0..<Int.random(in: 1...6, using: &generator) {
                bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
            }
            if case .malformed = H.outcome(bytes, engine: &engine) { malformed += 1 }
        }
        #expect(malformed > 0 && malformed < 5000)
    }
}
