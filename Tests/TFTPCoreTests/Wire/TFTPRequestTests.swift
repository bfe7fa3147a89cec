import NIOCore
import Testing

@testable import TFTPCore

/// Golden bytes of real boot-loader requests, decoded and re-encoded (RFC 1350 §5, RFC 2347 §2).
struct TFTPRequestTests {
    /// pxelinux's config probe exactly as it sends it (docs/protocol.md, "pxelinux and syslinux.efi").
    static let pxelinuxRRQ = """
        00017078656c696e75782e6366672f30312d35322d35342d30302d31322d33342d3536006f63746574007473697a65003000\
        626c6b73697a65003134303800
        """
    /// EDK2's native PXE with PcdPxeTftpWindowSize = 4 (docs/protocol.md, "windowsize (RFC 7440)").
    static let edk2RRQ = """
        00017379736c696e75782e656669006f637465740077696e646f7773697a65003400626c6b73697a650031343638007473697a65\
        003000
        """

    @Test func decodesPxelinuxConfigRequest() throws {
        var buffer = hexBuffer(Self.pxelinuxRRQ)
        let packet = try buffer.readTFTPPacket()
        let expected = TFTPRequest(
            filename: "pxelinux.cfg/01-52-54-00-12-34-56", mode: .octet,
            options: [TFTPOption(name: "tsize", value: "0"), TFTPOption(name: "blksize", value: "1408")])
        #expect(packet == .readRequest(expected))
        #expect(buffer.readableBytes == 0)
    }

    @Test func encodesPxelinuxConfigRequest() {
        let request = TFTPRequest(
            filename: "pxelinux.cfg/01-52-54-00-12-34-56", mode: .octet,
            options: [TFTPOption(name: "tsize", value: "0"), TFTPOption(name: "blksize", value: "1408")])
        #expect(encoded(.readRequest(request)) == hexBytes(Self.pxelinuxRRQ))
    }

    @Test func decodesEDK2WindowedRequest() throws {
        var buffer = hexBuffer(Self.edk2RRQ)
        guard case .readRequest(let request) = try buffer.readTFTPPacket() else {
            Issue.record("expected an RRQ")
            return
        }
        #expect(request.filename == "syslinux.efi")
        #expect(request.mode == .octet)
        #expect(request.options.map(\.name) == ["windowsize", "blksize", "tsize"])
        #expect(request.firstValue(ofOption: "WindowSize") == "4")
        #expect(request.firstValue(ofOption: "blksize") == "1468")
        #expect(encoded(.readRequest(request)) == hexBytes(Self.edk2RRQ))
    }

    @Test func optionNamesAreLowerCasedAndModeIsCaseInsensitive() throws {
        var buffer = ByteBuffer(bytes: [0, 1] + Array("a\0OcTeT\0BLKSIZE\0512\0".utf8))
        let packet = try buffer.readTFTPPacket()
        #expect(
            packet
                == .readRequest(
                    TFTPRequest(filename: "a", mode: .octet, options: [.init(name: "blksize", value: "512")])))
    }

    @Test func decodesWriteRequestInNetascii() throws {
        var buffer = hexBuffer("00026b732e636667004e6574415343494900")
        #expect(try buffer.readTFTPPacket() == .writeRequest(TFTPRequest(filename: "ks.cfg", mode: .netascii)))
    }

    @Test func duplicateOptionsStayVisible() throws {
        var buffer = ByteBuffer(bytes: [0, 1] + Array("f\0octet\0blksize\0512\0tsize\0000\0BlkSize\01468\0".utf8))
        guard case .readRequest(let request) = try buffer.readTFTPPacket() else {
            Issue.record("expected an RRQ")
            return
        }
        #expect(request.options.count == 3)
        #expect(request.duplicateOptionNames == ["blksize"])
        #expect(request.firstValue(ofOption: "blksize") == "512")
    }
}
