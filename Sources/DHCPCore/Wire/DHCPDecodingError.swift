/// Why a datagram is not a usable DHCP message. Each case carries the offending value, so the dropped-packet log
/// line and counter say exactly what was wrong.
public enum DHCPDecodingError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Shorter than the 236-byte BOOTP header plus the 4-byte magic cookie.
    case truncated(length: Int)
    /// Larger than Rackboot accepts (`DHCPMessage.maximumLength`).
    case oversized(length: Int)
    /// `op` is neither 1 (BOOTREQUEST) nor 2 (BOOTREPLY).
    case unknownOperation(UInt8)
    /// `hlen` above the 16 bytes `chaddr` can hold.
    case hardwareAddressTooLong(UInt8)
    /// Not the DHCP magic cookie 99.130.83.99 (a plain BOOTP packet, or garbage).
    case badMagicCookie([UInt8])
    /// An option whose declared length runs past the end of its field.
    case optionOverrunsField(code: UInt8, length: Int, available: Int, field: DHCPOptionField)
    /// An option code byte without its length byte at the end of a field.
    case missingOptionLength(code: UInt8, field: DHCPOptionField)
    /// Option 52 with a value other than 1, 2 or 3, or not one byte long.
    case badOverload([UInt8])
    /// Option 52 inside `file` or `sname`: it may only appear in the options field (RFC 2132 §9.3), and honouring
    /// it there would let a packet loop.
    case overloadOutsideOptions(field: DHCPOptionField)

    public var description: String {
        switch self {
        case .truncated(let length): return "truncated: \(length) bytes, a DHCP message has at least 240"
        case .oversized(let length): return "oversized: \(length) bytes, at most \(DHCPMessage.maximumLength) accepted"
        case .unknownOperation(let op): return "unknown op \(op)"
        case .hardwareAddressTooLong(let length): return "hlen \(length) exceeds the 16-byte chaddr"
        case .badMagicCookie(let bytes): return "magic cookie \(bytes) is not 99.130.83.99"
        case .optionOverrunsField(let code, let length, let available, let field):
            return "option \(code) claims \(length) bytes but only \(available) remain in \(field)"
        case .missingOptionLength(let code, let field): return "option \(code) has no length byte in \(field)"
        case .badOverload(let value): return "option 52 value \(value) is not 1, 2 or 3"
        case .overloadOutsideOptions(let field): return "option 52 inside \(field)"
        }
    }
}

/// The three places DHCP options can live (RFC 2131 §4.1: options, then `file`, then `sname` when overloaded).
public enum DHCPOptionField: String, Hashable, Sendable, CustomStringConvertible {
    case options
    case file
    case sname

    public var description: String { rawValue }
}

/// Why a message cannot be encoded within the size the client accepts.
public enum DHCPEncodingError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The options need more room than the main area plus the free `file`/`sname` fields give.
    case optionsDoNotFit(needed: Int, available: Int)

    public var description: String {
        switch self {
        case .optionsDoNotFit(let needed, let available):
            return "options need \(needed) bytes and do not fit the \(available) bytes free in the options, file "
                + "and sname fields (whole options, at most 255 bytes each, cannot straddle two fields)"
        }
    }
}
