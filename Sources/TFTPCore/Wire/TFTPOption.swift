/// One name/value pair from a request or an OACK (RFC 2347 §2).
///
/// Names are stored lower-cased because RFC 2347 makes them case-insensitive; values are kept verbatim.
public struct TFTPOption: Hashable, Sendable, CustomStringConvertible {
    public let name: String
    public let value: String

    /// Lower-cases `name`, so `BLKSIZE` and `blksize` compare equal.
    public init(name: String, value: String) {
        self.name = name.lowercased()
        self.value = value
    }

    public var description: String { "\(name)=\(value)" }
}

extension TFTPOption {
    /// RFC 2348: the block size.
    public static let blockSizeName = "blksize"
    /// RFC 2349 §1: the retransmission timeout in seconds.
    public static let timeoutName = "timeout"
    /// RFC 2349 §2: the transfer size.
    public static let transferSizeName = "tsize"
    /// RFC 7440: the number of blocks sent before waiting for an ACK.
    public static let windowSizeName = "windowsize"
}
