/// A read that could not deliver the bytes a DATA block needs. The adapter reports it with
/// `TFTPReadTransfer.sourceReadFailed`.
public enum TFTPFileReadError: Error, Hashable, Sendable {
    /// The stream ended before `offset + length`: the file shrank after it was opened and sized.
    case shortRead(offset: UInt64, requested: Int, available: Int)
    /// `pread` failed with this errno.
    case systemError(errno: Int32)
}
