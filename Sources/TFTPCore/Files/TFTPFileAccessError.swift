#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Why a read request cannot be served, with the TFTP error to answer (RFC 1350 Appendix).
///
/// The message sent to the client never contains the server's paths (dnsmasq leaks its full path; docs/protocol.md,
/// "Errors").
public enum TFTPFileAccessError: Error, Hashable, Sendable {
    /// The name was refused by normalisation.
    case invalidName(TFTPFileNameError)
    /// No rendered file and nothing under the root by that name.
    case notFound(TFTPFileName)
    /// The name resolves (through symlinks) to somewhere outside the root.
    case outsideRoot(TFTPFileName)
    /// A directory, device, FIFO or socket.
    case notARegularFile(TFTPFileName)
    /// The server process may not read it.
    case permissionDenied(TFTPFileName)
    /// Another failure of realpath/open/fstat, with its errno.
    case systemError(TFTPFileName, errno: Int32)

    /// ERROR 1 for a missing file, ERROR 2 for everything the client is not allowed to read.
    public var errorCode: TFTPErrorCode {
        switch self {
        case .notFound: return .fileNotFound
        case .invalidName, .outsideRoot, .notARegularFile, .permissionDenied: return .accessViolation
        case .systemError: return .undefined
        }
    }

    /// The text for the ERROR packet: the standard message only.
    public var clientMessage: String { errorCode.defaultMessage }

    /// A routine miss in a boot loader's config search, to be logged at debug rather than as a problem.
    public var isExpectedMiss: Bool {
        if case .notFound(let name) = self { return TFTPConfigProbe.isExpectedMiss(name) }
        return false
    }
}

extension TFTPFileAccessError: CustomStringConvertible {
    /// For the log's `reason` field: what was wrong, in the admin's words. The name is not repeated: it is
    /// client-chosen text, logged once, escaped, in the `file` field.
    public var description: String {
        switch self {
        case .invalidName(let error): return "refused name: \(error)"
        case .notFound: return "neither a rendered file nor a file under the root"
        case .outsideRoot: return "resolves to a path outside the root"
        case .notARegularFile: return "not a regular file"
        case .permissionDenied: return "not readable by the server"
        case .systemError(_, let code): return String(cString: strerror(code))
        }
    }
}
