import Inventory
import Testing

@testable import TFTPCore

/// Rendered inventory files come first; everything else goes to the jailed root.
struct TFTPFileResolverTests {
    @Test func renderedFileWinsAfterNormalisation() throws {
        let inventory = Inventory.empty
        let contents = try #require(inventory.renderedFile(at: "pxelinux.cfg/default"))
        let location = try TFTPFileResolver.locate("/pxelinux.cfg\\default", in: inventory)
        #expect(location == .rendered(try TFTPFileName(normalizing: "pxelinux.cfg/default"), contents: contents))
    }

    @Test func otherNamesGoToTheRoot() throws {
        let location = try TFTPFileResolver.locate("\\vmlinuz", in: .empty)
        #expect(location == .underRoot(try TFTPFileName(normalizing: "vmlinuz")))
    }

    @Test func badNamesAreAccessViolations() {
        #expect(throws: TFTPFileAccessError.invalidName(.parentDirectoryComponent("../x"))) {
            try TFTPFileResolver.locate("../x", in: .empty)
        }
        #expect(TFTPFileAccessError.invalidName(.empty).errorCode == .accessViolation)
        #expect(TFTPFileAccessError.invalidName(.empty).clientMessage == "Access violation")
    }
}
