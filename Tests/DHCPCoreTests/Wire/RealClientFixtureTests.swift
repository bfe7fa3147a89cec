import Foundation
import Inventory
import NIOCore
import Testing

@testable import DHCPCore

/// The first DHCPDISCOVER of six real clients (captured by scripts/capture-dhcp-fixtures.sh, described in
/// Fixtures/README.md) decodes, and the engine gives each the boot file its firmware needs.
@Suite struct RealClientFixtureTests {
    static func fixture(_ name: String) throws -> DHCPMessage {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: "bin"))
        var buffer = ByteBuffer(bytes: try Data(contentsOf: url))
        return try buffer.readDHCPMessage()
    }

    struct Expectation: Sendable, CustomStringConvertible {
        var file: String
        var mac: String
        var codes: [UInt8]
        var kind: NetworkBootClient.Kind
        var architecture: UInt16
        var bootFile: String?
        var description: String { file }
    }

    static let expectations: [Expectation] = [
        .init(
            file: "dhclient-discover", mac: "52:54:00:dc:00:01", codes: [53, 12, 55], kind: .plain,
            architecture: 0, bootFile: nil),
        .init(
            file: "udhcpc-discover", mac: "52:54:00:dc:00:02", codes: [53, 57, 55, 60, 61], kind: .plain,
            architecture: 0, bootFile: nil),
        .init(
            file: "dhcpcd-discover", mac: "52:54:00:dc:00:03", codes: [53, 55, 57, 61, 80, 145], kind: .plain,
            architecture: 0, bootFile: nil),
        .init(
            file: "ipxe-bios-discover", mac: "52:54:00:dc:00:04",
            codes: [53, 57, 93, 94, 60, 77, 55, 175, 61, 97], kind: .ipxe, architecture: 0,
            bootFile: "ipxe/default.ipxe"),
        .init(
            file: "ovmf-native-discover", mac: "52:54:00:dc:00:05", codes: [53, 57, 55, 97, 94, 93, 60],
            kind: .pxe, architecture: 7, bootFile: "syslinux.efi"),
        .init(
            file: "ipxe-efi-discover", mac: "52:54:00:dc:00:06",
            codes: [53, 57, 93, 94, 60, 77, 55, 175, 61, 97], kind: .ipxe, architecture: 7,
            bootFile: "ipxe/default.ipxe"),
    ]

    @Test(arguments: expectations)
    func decodesAndClassifies(expectation: Expectation) throws {
        let message = try Self.fixture(expectation.file)
        #expect(message.operation == .bootRequest)
        #expect(message.options.messageType == .discover)
        #expect(message.clientMAC == MACAddress(expectation.mac))
        #expect(message.options.codes.map(\.rawValue) == expectation.codes)
        let client = NetworkBootClient(message.options)
        #expect(client.kind == expectation.kind)
        #expect(client.architecture == expectation.architecture)
    }

    @Test(arguments: expectations)
    func getsAnOfferWithItsBootFile(expectation: Expectation) throws {
        var engine = EngineFixture.engine()
        let decision = engine.handle(
            try Self.fixture(expectation.file), arrival: EngineFixture.onLink,
            inventory: EngineFixture.inventory, now: EngineFixture.now)
        let offer = try #require(decision.reply?.message)
        #expect(offer.options.messageType == .offer)
        #expect(offer.yourAddress == IPv4Address("10.20.0.100"))
        let file = offer.bootFileName.isEmpty ? nil : String(decoding: offer.bootFileName, as: UTF8.self)
        #expect(file == expectation.bootFile)
        if expectation.kind != .plain {
            #expect(offer.options[.clientMachineIdentifier] != nil, "option 97 is echoed to PXE clients")
        }
        var encoded = ByteBuffer()
        #expect(try encoded.writeDHCPMessage(offer, maximumLength: decision.reply!.maximumLength) >= 300)
    }

    @Test func reEncodingAPXEDiscoverKeepsEveryOption() throws {
        for name in ["ipxe-bios-discover", "ovmf-native-discover", "ipxe-efi-discover"] {
            let message = try Self.fixture(name)
            var buffer = ByteBuffer()
            try buffer.writeDHCPMessage(message)
            #expect(try buffer.readDHCPMessage() == message)
        }
    }
}
