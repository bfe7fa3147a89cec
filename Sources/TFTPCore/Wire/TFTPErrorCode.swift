/// The error codes of an ERROR packet: 0-7 from RFC 1350 Appendix, 8 from RFC 2347 §2.
public enum TFTPErrorCode: UInt16, Hashable, Sendable, CaseIterable {
    /// "Not defined, see error message (if any)".
    case undefined = 0
    case fileNotFound = 1
    case accessViolation = 2
    case diskFull = 3
    case illegalOperation = 4
    /// A packet arrived from a port that is not this transfer's peer (RFC 1350 §4).
    case unknownTransferID = 5
    case fileAlreadyExists = 6
    case noSuchUser = 7
    /// RFC 2347 §2: the client refuses the server's OACK. UEFI firmware sends it on purpose after a tsize probe.
    case optionNegotiationFailed = 8

    /// The text tftp-hpa uses for each code, so logs and captures look familiar.
    public var defaultMessage: String {
        switch self {
        case .undefined: return "Undefined error code"
        case .fileNotFound: return "File not found"
        case .accessViolation: return "Access violation"
        case .diskFull: return "Disk full or allocation exceeded"
        case .illegalOperation: return "Illegal TFTP operation"
        case .unknownTransferID: return "Unknown transfer ID"
        case .fileAlreadyExists: return "File already exists"
        case .noSuchUser: return "No such user"
        case .optionNegotiationFailed: return "Failure to negotiate RFC2347 options"
        }
    }
}
