import Testing

@testable import TFTPCore

/// Name normalisation: the first line of defence of the jail (docs/protocol.md, "File names and the jail").
struct TFTPFileNameTests {
    private func normalised(_ name: String) throws -> String {
        try TFTPFileName(normalizing: name).path
    }

    @Test func leadingSlashesAndBackslashes() throws {
        #expect(try normalised("/pxelinux.0") == "pxelinux.0")
        #expect(try normalised("//boot//x") == "boot/x")
        #expect(try normalised("\\EFI\\BOOT\\grubx64.efi") == "EFI/BOOT/grubx64.efi")
        #expect(try normalised("./a/./b/") == "a/b")
    }

    @Test func caseIsKept() throws {
        #expect(try normalised("PXELINUX.CFG/C000025B") == "PXELINUX.CFG/C000025B")
    }

    @Test func parentComponentsAreRefusedNotResolved() {
        for name in ["../etc/passwd", "a/../../b", "a/..", "..\\x", "/.."] {
            #expect(throws: TFTPFileNameError.parentDirectoryComponent(name)) { try TFTPFileName(normalizing: name) }
        }
    }

    @Test func dotsThatAreNotParentComponentsAreFine() throws {
        #expect(try normalised("a..b/...") == "a..b/...")
    }

    @Test func percentEncodingIsLiteral() throws {
        #expect(try normalised("%2e%2e/%2E%2E/etc/passwd") == "%2e%2e/%2E%2E/etc/passwd")
    }

    @Test func emptyNUL_AndTooLong() {
        #expect(throws: TFTPFileNameError.empty) { try TFTPFileName(normalizing: "") }
        #expect(throws: TFTPFileNameError.empty) { try TFTPFileName(normalizing: "/./\\/") }
        #expect(throws: TFTPFileNameError.containsNUL) { try TFTPFileName(normalizing: "a\0b") }
        let long = String(repeating: "a", count: 256)
        #expect(throws: TFTPFileNameError.tooLong(length: 256)) { try TFTPFileName(normalizing: long) }
        #expect(throws: Never.self) { try TFTPFileName(normalizing: String(repeating: "a", count: 255)) }
    }
}
