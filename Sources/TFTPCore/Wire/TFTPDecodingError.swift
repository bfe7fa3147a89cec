/// Why a datagram is not a TFTP packet; each case carries the offending value so the adapter can log it and decide
/// between ignoring the datagram and answering ERROR 4 (RFC 1350 §7 leaves that to the implementation).
public enum TFTPDecodingError: Error, Hashable, Sendable {
    /// The datagram ends before a fixed-size field (opcode, block number or error code). Carries its length.
    case truncatedPacket(length: Int)
    /// The datagram is longer than any TFTP packet can be (4 + 65464 bytes, RFC 2348).
    case oversizedPacket(length: Int)
    /// The first two bytes are not one of the six opcodes.
    case unknownOpcode(UInt16)
    /// A text field runs to the end of the datagram without its NUL terminator (RFC 1350 §5).
    case missingNULTerminator(field: TFTPPacketField)
    /// A text field holds a byte outside 7-bit ASCII; RFC 1350 requires netascii strings.
    case nonASCIIField(field: TFTPPacketField, bytes: [UInt8])
    /// A request with a zero-length file name.
    case emptyFilename
    /// A mode other than netascii, octet or mail (any case).
    case unsupportedMode(String)
    /// An option name with nothing after it: the option list has an odd number of strings (RFC 2347 §2).
    case optionWithoutValue(name: String)
    /// A zero-length option name, which RFC 2347 does not allow.
    case emptyOptionName
    /// An ERROR packet whose code is not 0-8.
    case unknownErrorCode(UInt16)
}

extension TFTPDecodingError {
    /// The ERROR that answers an RRQ or WRQ that does not decode (RFC 1350 §7 leaves the choice to the server):
    /// ERROR 4, saying "Request too long" for a request longer than any TFTP packet and "Malformed request"
    /// otherwise, so the client's log says which.
    public var requestRefusal: (code: TFTPErrorCode, message: String) {
        if case .oversizedPacket = self { return (.illegalOperation, "Request too long") }
        return (.illegalOperation, "Malformed request")
    }
}
