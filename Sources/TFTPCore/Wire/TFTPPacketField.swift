/// The NUL-terminated text fields of TFTP packets, named in decoding errors so a log line says which one was bad.
public enum TFTPPacketField: String, Hashable, Sendable {
    case filename
    case mode
    case optionName
    case optionValue
    case errorMessage
}
