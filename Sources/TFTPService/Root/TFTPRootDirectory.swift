#if canImport(Glibc)
    import TFTPCore
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The jailed directory files are served from: the only type in `Files/` that touches the file system.
///
/// A name is resolved with `realpath` and served only if the real path stays inside the root's real path and is a
/// regular file (docs/protocol.md, "File names and the jail"; tftp-hpa 5.4 fixed several escapes of this kind). The
/// file is then opened with `O_NOFOLLOW | O_NONBLOCK` (no symlink swapped in at the last component, no hang on a FIFO),
/// checked with `fstat`, and on Linux its `/proc/self/fd` link is checked against the root again, which closes the
/// window where a directory is replaced by a symlink between `realpath` and `open`.
public struct TFTPRootDirectory: Sendable {
    /// The root with every symlink resolved.
    public let realPath: String
    private let openFiles = TFTPOpenFileTable()

    /// Resolves `path` once; later renames of the root do not move the jail.
    public init(path: String) throws(TFTPRootDirectoryError) {
        guard let resolved = Self.realPath(of: path) else {
            throw .unresolvable(path: path, errno: errno)
        }
        realPath = resolved
    }

    /// Opens `name` for reading, or says why it cannot be served.
    public func open(_ name: TFTPFileName) throws(TFTPFileAccessError) -> TFTPOpenedFile {
        guard let resolved = Self.realPath(of: realPath + "/" + name.path) else {
            throw Self.accessError(for: errno, name: name)
        }
        guard isInsideRoot(resolved) else { throw .outsideRoot(name) }
        let descriptor = openWithoutFollowing(resolved)
        guard descriptor >= 0 else { throw Self.accessError(for: errno, name: name) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            let failure = errno
            close(descriptor)
            throw .systemError(name, errno: failure)
        }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            close(descriptor)
            throw .notARegularFile(name)
        }
        if let opened = Self.pathOfDescriptor(descriptor), !isInsideRoot(opened) {
            close(descriptor)
            throw .outsideRoot(name)
        }
        let file = TFTPOpenedFile(
            descriptor: descriptor, byteCount: UInt64(status.st_size),
            identity: .init(device: UInt64(status.st_dev), inode: UInt64(status.st_ino)))
        return openFiles.share(file)
    }

    /// Descriptors currently held for running transfers.
    public var sharedOpenFileCount: Int { openFiles.openFileCount }

    private func isInsideRoot(_ path: String) -> Bool {
        if realPath == "/" { return path.hasPrefix("/") }
        return path.hasPrefix(realPath + "/")
    }

    private static func accessError(for code: Int32, name: TFTPFileName) -> TFTPFileAccessError {
        switch code {
        case ENOENT, ENOTDIR: return .notFound(name)
        case EACCES, EPERM: return .permissionDenied(name)
        case ELOOP: return .outsideRoot(name)  // a symlink loop, or a symlink at the last component after realpath
        default: return .systemError(name, errno: code)
        }
    }

    private static func realPath(of path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    private static func pathOfDescriptor(_ descriptor: CInt) -> String? {
        #if os(Linux)
            var target = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let length = readlink("/proc/self/fd/\(descriptor)", &target, target.count - 1)
            guard length > 0 else { return nil }
            return String(decoding: target[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        #else
            return nil
        #endif
    }
}

/// `open(2)` for reading without following a final symlink or blocking on a FIFO; a free function so the name
/// does not collide with `TFTPRootDirectory.open`.
private func openWithoutFollowing(_ path: String) -> CInt {
    open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY)
}
