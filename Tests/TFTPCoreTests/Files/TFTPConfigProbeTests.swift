import Testing

@testable import TFTPCore

/// pxelinux's and GRUB's config search: misses that are routine (docs/protocol.md, "Config file search (pxelinux,
/// GRUB)").
struct TFTPConfigProbeTests {
    private func expected(_ name: String) throws -> Bool {
        TFTPConfigProbe.isExpectedMiss(try TFTPFileName(normalizing: name))
    }

    @Test func pxelinuxSearchOrderIsExpected() throws {
        #expect(try expected("pxelinux.cfg/b8945908-d6a6-41a9-611d-74a6ab80b83d"))
        #expect(try expected("pxelinux.cfg/01-88-99-aa-bb-cc-dd"))
        for length in 1...8 {
            #expect(try expected("pxelinux.cfg/" + String("C000025B".prefix(length))))
        }
        #expect(try expected("/boot/pxelinux.cfg/01-52-54-00-12-34-56"), "option 210 path prefix")
    }

    @Test func grubSearchIsExpected() throws {
        #expect(try expected("grub/grub.cfg-01-52-54-00-12-34-56"))
        #expect(try expected("grub/grub.cfg-0A000001"))
    }

    @Test func shimAndSignedGRUBProbesAreExpected() throws {
        for name in [
            "revocations_sku.efi", "revocations_sbat.efi", "shim_certificate_0.efi", "boot/shim_certificate_12.efi",
        ] {
            #expect(try expected(name), "\(name)")
        }
        for name in [
            "grub/x86_64-efi/command.lst", "/grub/arm64-efi/fs.lst", "grub/i386-pc/crypto.lst",
            "grub/x86_64-efi/terminal.lst",
        ] {
            #expect(try expected(name), "\(name)")
        }
        #expect(try !expected("grubx64.efi"), "shim's second stage is a real file")
        #expect(try !expected("shim_certificate_.efi"))
        #expect(try !expected("grub/x86_64-efi/normal.mod"), "a module GRUB needs")
    }

    @Test func realFilesAreNotExpectedMisses() throws {
        #expect(try !expected("pxelinux.cfg/default"))
        #expect(try !expected("grub/grub.cfg"))
        #expect(try !expected("pxelinux.0"))
        #expect(try !expected("vmlinuz"))
        #expect(try !expected("pxelinux.cfg/c000025b"), "pxelinux upper-cases the hex IP")
        #expect(try !expected("pxelinux.cfg/C000025B0"), "nine digits")
        #expect(try !expected("images/01-52-54-00-12-34-56"))
    }

    @Test func accessErrorClassification() throws {
        let probe = try TFTPFileName(normalizing: "pxelinux.cfg/C0A8")
        #expect(TFTPFileAccessError.notFound(probe).isExpectedMiss)
        #expect(!TFTPFileAccessError.notFound(try TFTPFileName(normalizing: "vmlinuz")).isExpectedMiss)
        #expect(!TFTPFileAccessError.permissionDenied(probe).isExpectedMiss)
    }
}
