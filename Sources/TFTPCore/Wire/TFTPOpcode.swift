/// The two-byte operation code that starts every TFTP packet (RFC 1350 §5, RFC 2347 §2 for OACK).
public enum TFTPOpcode: UInt16, Hashable, Sendable, CaseIterable {
    case readRequest = 1
    case writeRequest = 2
    case data = 3
    case acknowledgement = 4
    case error = 5
    /// RFC 2347 §2: the server's answer to a request whose options it accepted.
    case optionAcknowledgement = 6
}
