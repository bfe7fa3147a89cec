import Inventory
import NIOCore
import Testing

@testable import DHCPCore

@Suite struct DHCPMessageCodecTests {
    /// A DISCOVER laid out byte by byte from RFC 2131 §2 and RFC 2132.
    static let discoverBytes: [UInt8] = {
        var bytes: [UInt8] = [1, 1, 6, 0, 0xde, 0xad, 0xbe, 0xef, 0, 4, 0x80, 0]
        bytes += Array(repeating: 0, count: 16)  // ciaddr yiaddr siaddr giaddr
        bytes += [0x52, 0x54, 0x00, 0x12, 0x34, 0x56] + Array(repeating: 0, count: 10)  // chaddr
        bytes += Array(repeating: 0, count: 64 + 128)  // sname, file
        bytes += [99, 130, 83, 99]
        bytes += [53, 1, 1]  // DHCPDISCOVER
        bytes += [57, 2, 0x05, 0xc0]  // max size 1472
        bytes += [93, 2, 0, 7]  // x86-64 UEFI
        bytes += [60, 9] + Array("PXEClient".utf8)
        bytes += [55, 4, 1, 3, 66, 67]
        bytes += [255]
        return bytes
    }()

    @Test func decodesAGoldenDiscover() throws {
        var buffer = ByteBuffer(bytes: Self.discoverBytes)
        let message = try buffer.readDHCPMessage()
        #expect(buffer.readableBytes == 0)
        #expect(message.operation == .bootRequest)
        #expect(message.transactionID == 0xdead_beef)
        #expect(message.secondsElapsed == 4)
        #expect(message.broadcastFlag)
        #expect(message.clientMAC == MACAddress("52:54:00:12:34:56"))
        #expect(message.options.messageType == .discover)
        #expect(message.options.maximumMessageSize == 1472)
        #expect(message.options.clientArchitectures == [7])
        #expect(message.options.vendorClassIdentifier == "PXEClient")
        #expect(message.options.parameterRequestList == [.subnetMask, .router, .tftpServerName, .bootFileName])
        #expect(message.options.codes.map(\.rawValue) == [53, 57, 93, 60, 55])
    }

    @Test func encodesTheSameDiscoverByteForByte() throws {
        var message = DHCPMessage(operation: .bootRequest, transactionID: 0xdead_beef)
        message.secondsElapsed = 4
        message.broadcastFlag = true
        message.clientMAC = MACAddress("52:54:00:12:34:56")
        message.options.messageType = .discover
        message.options[.maximumMessageSize] = [0x05, 0xc0]
        message.options[.clientArchitecture] = [0, 7]
        message.options.vendorClassIdentifier = "PXEClient"
        message.options[.parameterRequestList] = [1, 3, 66, 67]
        var buffer = ByteBuffer()
        let written = try buffer.writeDHCPMessage(message)
        #expect(written == DHCPMessage.minimumLength)
        let expected =
            Self.discoverBytes + Array(repeating: 0, count: DHCPMessage.minimumLength - Self.discoverBytes.count)
        #expect(buffer.readableBytesView.elementsEqual(expected))
    }

    @Test func roundTripsAReplyWithAddressesNamesAndOptions() throws {
        var offer = DHCPMessage(operation: .bootReply, transactionID: 7)
        offer.clientMAC = MACAddress("52:54:00:20:00:11")
        offer.yourAddress = IPv4Address("10.20.0.11")!
        offer.serverAddress = IPv4Address("10.20.0.2")!
        offer.gatewayAddress = IPv4Address("10.30.0.1")!
        offer.hops = 1
        offer.bootFileName = Array("pxelinux.0".utf8)
        offer.serverName = Array("rackboot".utf8)
        offer.options.messageType = .offer
        offer.options.serverIdentifier = IPv4Address("10.20.0.2")
        offer.options.leaseTime = 43200
        offer.options[.relayAgentInformation] = [1, 4, 0, 0, 0, 5, 2, 2, 0xab, 0xcd]
        var buffer = ByteBuffer()
        try buffer.writeDHCPMessage(offer)
        #expect(buffer.getBytes(at: 16, length: 12) == [10, 20, 0, 11, 10, 20, 0, 2, 10, 30, 0, 1])
        #expect(buffer.getBytes(at: 108, length: 11) == Array("pxelinux.0".utf8) + [0])
        #expect(try buffer.readDHCPMessage() == offer)
    }

    @Test func splitsLongValuesAndConcatenatesThemBack() throws {
        var message = DHCPMessage(operation: .bootReply, transactionID: 1)
        let long = (0..<300).map { UInt8($0 % 251) }
        message.options[.vendorSpecific] = long
        var buffer = ByteBuffer()
        try buffer.writeDHCPMessage(message)
        #expect(buffer.getBytes(at: 240, length: 2) == [43, 255])
        #expect(buffer.getBytes(at: 240 + 257, length: 2) == [43, 45])
        #expect(try buffer.readDHCPMessage().options[.vendorSpecific] == long)
    }

    @Test func overloadsFileThenSnameWhenTheOptionsFieldIsFull() throws {
        var message = DHCPMessage(operation: .bootReply, transactionID: 2)
        message.options.messageType = .acknowledgement
        for code in UInt8(100)..<UInt8(120) {
            message.options[DHCPOptionCode(code)] = Array(repeating: code, count: 20)
        }
        var buffer = ByteBuffer()
        #expect(try buffer.writeDHCPMessage(message) <= DHCPMessage.defaultMaximumLength)
        // file (offset 108) and sname (offset 44) now start with options, and option 52 says both are used.
        #expect(buffer.getBytes(at: 108, length: 2)?.first.map { (100..<120).contains($0) } == true)
        #expect(buffer.getBytes(at: 44, length: 2)?.first.map { (100..<120).contains($0) } == true)
        let optionsArea = try #require(buffer.getBytes(at: 240, length: buffer.readableBytes - 240))
        #expect(optionsArea.suffix(4) == [52, 1, 3, 255])
        let decoded = try buffer.readDHCPMessage()
        #expect(decoded.options == message.options)
        #expect(decoded.bootFileName.isEmpty && decoded.serverName.isEmpty)
    }

    @Test func keepsANamedBootFileAndRefusesWhatCannotFit() throws {
        var message = DHCPMessage(operation: .bootReply, transactionID: 3)
        message.bootFileName = Array("syslinux.efi".utf8)
        for code in UInt8(100)..<UInt8(115) {
            message.options[DHCPOptionCode(code)] = Array(repeating: code, count: 20)
        }
        var buffer = ByteBuffer()
        try buffer.writeDHCPMessage(message)
        let decoded = try buffer.readDHCPMessage()
        #expect(decoded.bootFileName == Array("syslinux.efi".utf8))
        #expect(decoded.options == message.options)

        message.options[DHCPOptionCode(120)] = Array(repeating: 1, count: 20)
        var tooSmall = ByteBuffer()
        #expect(throws: DHCPEncodingError.self) { try tooSmall.writeDHCPMessage(message) }
        var roomier = ByteBuffer()
        #expect(try roomier.writeDHCPMessage(message, maximumLength: 1472) > DHCPMessage.defaultMaximumLength)
    }

    @Test func readsUserClassesBothWays() {
        var options = DHCPOptions()
        options[.userClass] = Array("iPXE".utf8)
        #expect(options.userClassContains("iPXE"))
        options[.userClass] = [3] + Array("abc".utf8) + [4] + Array("iPXE".utf8)
        #expect(options.userClassContains("iPXE"))
        #expect(!options.userClassContains("abc "))
        options[.userClass] = [9] + Array("iPXE".utf8)
        #expect(!options.userClassContains("iPXE"))
    }

    @Test func refusesValuesOfTheWrongLength() {
        var options = DHCPOptions()
        options[.messageType] = []
        options[.maximumMessageSize] = [0x01, 0x00]
        options[.clientArchitecture] = [0, 7, 0]
        options[.serverIdentifier] = [10, 0, 0]
        #expect(options.messageType == nil)
        #expect(options.maximumMessageSize == nil)
        #expect(options.clientArchitectures.isEmpty)
        #expect(options.serverIdentifier == nil)
    }
}
