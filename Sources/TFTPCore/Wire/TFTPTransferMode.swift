/// The transfer mode named in a request (RFC 1350 §5), matched case-insensitively as the RFC requires.
public enum TFTPTransferMode: String, Hashable, Sendable, CaseIterable {
    /// Text: line ends travel as CR LF and a bare CR as CR NUL (RFC 1350 §5, RFC 764).
    case netascii
    /// Raw bytes; what every boot loader asks for.
    case octet
    /// Obsolete mail delivery (RFC 1350 §5 "should not be implemented"); decoded so it can be refused cleanly.
    case mail

    /// Parses a mode name in any letter case; `nil` for anything else.
    public init?(wireName: String) {
        self.init(rawValue: wireName.lowercased())
    }
}
