/// An IPv4 address, parsed strictly from dotted-quad text.
public struct IPv4Address: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The address in host byte order (`10.0.0.1` is `0x0a000001`).
    public let rawValue: UInt32

    public init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    /// Parses `a.b.c.d` with each part 0-255 and no leading zeros (`010.0.0.1` is ambiguous: octal to some tools).
    public init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy(\.isASCIIDigit),
                part == "0" || !part.hasPrefix("0"), let octet = UInt32(part), octet <= 255
            else { return nil }
            value = value << 8 | octet
        }
        rawValue = value
    }

    public var octets: [UInt8] {
        (0..<4).map { UInt8(truncatingIfNeeded: rawValue >> (8 * (3 - $0))) }
    }

    public var description: String { octets.map(String.init).joined(separator: ".") }

    /// `0A14000B`: the upper-case hex name pxelinux and GRUB try after the MAC name (docs/protocol.md, "Config file
    /// search (pxelinux, GRUB)").
    public var hexName: String { octets.map { hexByte($0).uppercased() }.joined() }

    public static func < (lhs: IPv4Address, rhs: IPv4Address) -> Bool { lhs.rawValue < rhs.rawValue }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
