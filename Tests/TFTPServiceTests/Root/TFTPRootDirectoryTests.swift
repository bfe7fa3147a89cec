import NIOCore
import Testing

@testable import TFTPCore
@testable import TFTPService

#if canImport(Glibc)
    import Glibc
#endif

/// The jail on a real temporary directory: symlinks out, directories, FIFOs, shared descriptors.
struct TFTPRootDirectoryTests {
    /// A fresh directory tree: `outside/secret`, `root/` with files, directories and links.
    final class Fixture {
        let base: String
        let root: String

        init() throws {
            var template = Array("/tmp/rackboot-tftp-test-XXXXXX".utf8CString)
            guard let made = mkdtemp(&template) else { throw TFTPFileReadError.systemError(errno: errno) }
            base = String(cString: made)
            root = base + "/root"
            mkdir(root, 0o755)
            mkdir(root + "/images", 0o755)
            mkdir(base + "/outside", 0o755)
            try write("outside/secret", "secret")
            try write("root/images/vmlinuz", "kernel bytes")
            symlink(base + "/outside/secret", root + "/escape")
            symlink(base + "/outside", root + "/escapedir")
            symlink("images/vmlinuz", root + "/kernel")
            mkfifo(root + "/fifo", 0o644)
        }

        func write(_ relative: String, _ text: String) throws {
            let descriptor = open(base + "/" + relative, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            guard descriptor >= 0 else { throw TFTPFileReadError.systemError(errno: errno) }
            _ = text.utf8CString.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, text.utf8.count) }
            close(descriptor)
        }

        deinit {
            for path in [
                "root/images/vmlinuz", "root/escape", "root/escapedir", "root/kernel", "root/fifo",
                "outside/secret",
            ] {
                unlink(base + "/" + path)
            }
            for path in ["root/images", "root", "outside", ""] { rmdir(base + "/" + path) }
        }
    }

    private func name(_ text: String) throws -> TFTPFileName { try TFTPFileName(normalizing: text) }

    @Test func servesRegularFilesAndSymlinksInsideTheRoot() throws {
        let fixture = try Fixture()
        let root = try TFTPRootDirectory(path: fixture.root + "/./")
        let file = try root.open(name("images/vmlinuz"))
        #expect(file.byteCount == 12)
        var buffer = ByteBuffer()
        try file.read(at: 7, length: 5, into: &buffer)
        #expect(String(buffer: buffer) == "bytes")
        #expect(try root.open(name("kernel")).byteCount == 12)
    }

    @Test func refusesEscapesDirectoriesAndDevices() throws {
        let fixture = try Fixture()
        let root = try TFTPRootDirectory(path: fixture.root)
        #expect(throws: TFTPFileAccessError.outsideRoot(try name("escape"))) { try root.open(name("escape")) }
        #expect(throws: TFTPFileAccessError.outsideRoot(try name("escapedir/secret"))) {
            try root.open(name("escapedir/secret"))
        }
        #expect(throws: TFTPFileAccessError.notARegularFile(try name("images"))) { try root.open(name("images")) }
        #expect(throws: TFTPFileAccessError.notARegularFile(try name("fifo"))) { try root.open(name("fifo")) }
        #expect(throws: TFTPFileAccessError.notFound(try name("missing"))) { try root.open(name("missing")) }
        #expect(throws: TFTPFileAccessError.notFound(try name("images/vmlinuz/x"))) {
            try root.open(name("images/vmlinuz/x"))
        }
        #expect(TFTPFileAccessError.outsideRoot(try name("escape")).errorCode == .accessViolation)
        #expect(TFTPFileAccessError.notFound(try name("x")).errorCode == .fileNotFound)
    }

    @Test func concurrentTransfersShareOneDescriptor() throws {
        let fixture = try Fixture()
        let root = try TFTPRootDirectory(path: fixture.root)
        let first = try root.open(name("images/vmlinuz"))
        let second = try root.open(name("kernel"))
        #expect(first === second)
        #expect(root.sharedOpenFileCount == 1)
    }

    @Test func descriptorClosesWithItsLastTransfer() throws {
        let fixture = try Fixture()
        let root = try TFTPRootDirectory(path: fixture.root)
        var file: TFTPOpenedFile? = try root.open(name("images/vmlinuz"))
        #expect(root.sharedOpenFileCount == 1)
        #expect(file?.byteCount == 12)
        // Checking the descriptor number itself would race with other tests reusing it; the weak entry going
        // away proves `deinit` (which closes) ran.
        file = nil
        #expect(root.sharedOpenFileCount == 0)
    }

    @Test func shortReadIsReported() throws {
        let fixture = try Fixture()
        let root = try TFTPRootDirectory(path: fixture.root)
        let file = try root.open(name("images/vmlinuz"))
        var buffer = ByteBuffer()
        #expect(throws: TFTPFileReadError.shortRead(offset: 10, requested: 5, available: 2)) {
            try file.read(at: 10, length: 5, into: &buffer)
        }
    }

    @Test func missingRootIsReported() {
        #expect(throws: TFTPRootDirectoryError.unresolvable(path: "/nonexistent/rackboot", errno: ENOENT)) {
            try TFTPRootDirectory(path: "/nonexistent/rackboot")
        }
    }
}
