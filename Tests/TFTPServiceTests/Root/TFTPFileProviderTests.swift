import Inventory
import NIOCore
import Testing

@testable import TFTPCore
@testable import TFTPService

/// The provider combines resolution, the root and netascii into one source per request.
struct TFTPFileProviderTests {
    @Test func renderedFileInOctetMode() throws {
        let expected = try #require(Inventory.empty.renderedFile(at: "pxelinux.cfg/default"))
        let opened = try TFTPFileProvider(root: nil).open(
            TFTPRequest(filename: "/pxelinux.cfg/default", mode: .octet), in: .empty)
        #expect(opened.isRendered)
        #expect(opened.name.path == "pxelinux.cfg/default")
        #expect(opened.source.knownByteCount == UInt64(expected.count))
    }

    @Test func renderedFileInNetasciiModeIsConverted() throws {
        let expected = try #require(Inventory.empty.renderedFile(at: "pxelinux.cfg/default"))
        var source = try TFTPFileProvider(root: nil).open(
            TFTPRequest(filename: "pxelinux.cfg/default", mode: .netascii), in: .empty
        ).source
        #expect(source.knownByteCount == nil, "its length is learned by converting it, not by a scan at open")
        var buffer = ByteBuffer()
        try source.read(at: 0, length: 2 * expected.count + 1, into: &buffer)
        #expect(Array(buffer.readableBytesView) == NetasciiEncoding.encode(expected))
    }

    @Test func withoutARootOnlyRenderedFilesExist() throws {
        #expect(throws: TFTPFileAccessError.notFound(try TFTPFileName(normalizing: "pxelinux.0"))) {
            try TFTPFileProvider(root: nil).open(TFTPRequest(filename: "pxelinux.0", mode: .octet), in: .empty)
        }
    }
}
