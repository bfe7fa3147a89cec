/// Why a requested file name is refused before any lookup (docs/protocol.md, "File names and the jail"). All of these
/// answer ERROR 2.
public enum TFTPFileNameError: Error, Hashable, Sendable {
    /// Nothing left after removing separators and `.` components.
    case empty
    /// A NUL byte: no file name can hold one, and C APIs would silently cut the name there.
    case containsNUL
    /// A `..` component: an attempt to climb out of the root. Carries the name as requested.
    case parentDirectoryComponent(String)
    /// Longer than `TFTPFileName.maximumLength` bytes.
    case tooLong(length: Int)
}

extension TFTPFileNameError: CustomStringConvertible {
    /// For the log's `reason` field; the requested name itself is logged (escaped) in `file`.
    public var description: String {
        switch self {
        case .empty: return "the name is empty once separators and '.' are removed"
        case .containsNUL: return "the name contains a NUL byte"
        case .parentDirectoryComponent: return "the name contains a '..' component"
        case .tooLong(let length): return "the name is \(length) bytes long (at most \(TFTPFileName.maximumLength))"
        }
    }
}
