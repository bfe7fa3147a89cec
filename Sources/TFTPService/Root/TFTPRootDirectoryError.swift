/// The configured TFTP root cannot be used; reported at start-up or reload, never per request.
public enum TFTPRootDirectoryError: Error, Hashable, Sendable {
    /// realpath failed on the configured root (missing, unreadable); carries the path and errno.
    case unresolvable(path: String, errno: Int32)
}
