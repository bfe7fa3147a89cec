/// The netascii conversion of a local (Unix) byte stream for the wire: LF becomes CR LF and CR becomes CR NUL (RFC 1350
/// §5 referring to RFC 764; docs/tftp-io.md, "netascii: converted as it is sent"). Every byte maps to one or two, so
/// the encoded size is the file size plus the number of CR and LF bytes.
public enum NetasciiEncoding {
    static let carriageReturn: UInt8 = 0x0D
    static let lineFeed: UInt8 = 0x0A

    /// How many bytes `byte` becomes on the wire.
    @inlinable
    public static func encodedWidth(of byte: UInt8) -> Int {
        byte == 0x0A || byte == 0x0D ? 2 : 1
    }

    /// The wire form of one byte: itself, or a CR pair.
    public static func encode(_ byte: UInt8) -> (first: UInt8, second: UInt8?) {
        switch byte {
        case lineFeed: return (carriageReturn, lineFeed)
        case carriageReturn: return (carriageReturn, 0)
        default: return (byte, nil)
        }
    }

    /// The wire form of a whole byte sequence.
    public static func encode(_ bytes: some Sequence<UInt8>) -> [UInt8] {
        var encoded: [UInt8] = []
        for byte in bytes {
            let (first, second) = encode(byte)
            encoded.append(first)
            if let second { encoded.append(second) }
        }
        return encoded
    }
}
