/// A 48-bit Ethernet hardware address: the identity of a machine in the inventory (DHCP `chaddr`).
///
/// Machines are keyed on the MAC, not on the DHCP client-id, because the PXE ROM, iPXE and the installed OS send
/// different client-ids for the same NIC (docs/protocol.md, "Client identity: chaddr, not client-id").
public struct MACAddress: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The six octets in the low 48 bits, first octet most significant.
    public let rawValue: UInt64

    public init(octets: [UInt8]) {
        precondition(octets.count == 6, "a MAC address has six octets")
        rawValue = octets.reduce(0) { ($0 << 8) | UInt64($1) }
    }

    /// Parses `52:54:00:ab:cd:ef` or `52-54-00-AB-CD-EF` (either case); anything else is `nil`.
    public init?(_ text: String) {
        let separator: Character
        if text.contains(":") {
            separator = ":"
        } else if text.contains("-") {
            separator = "-"
        } else {
            return nil
        }
        let parts = text.split(separator: separator, omittingEmptySubsequences: false)
        guard parts.count == 6 else { return nil }
        var octets: [UInt8] = []
        for part in parts {
            guard part.count == 2, part.allSatisfy(\.isHexDigit), let octet = UInt8(part, radix: 16) else {
                return nil
            }
            octets.append(octet)
        }
        self.init(octets: octets)
    }

    public var octets: [UInt8] {
        (0..<6).map { UInt8(truncatingIfNeeded: rawValue >> (8 * (5 - $0))) }
    }

    /// Group bit set: a multicast or broadcast address, which no NIC uses as its own.
    public var isMulticast: Bool { octets[0] & 0x01 != 0 }

    public var isZero: Bool { rawValue == 0 }

    /// `52:54:00:ab:cd:ef`: the form Rackboot prints and logs.
    public var description: String { hex(separator: ":") }

    /// `52-54-00-ab-cd-ef`.
    public var hyphenated: String { hex(separator: "-") }

    /// `01-52-54-00-ab-cd-ef`: ARP hardware type 1 (Ethernet) and the address, the per-machine file name that
    /// pxelinux and GRUB ask for (docs/protocol.md, "Config file search (pxelinux, GRUB)").
    public var hardwareTypeName: String { "01-" + hyphenated }

    private func hex(separator: String) -> String {
        octets.map { hexByte($0) }.joined(separator: separator)
    }

    public static func < (lhs: MACAddress, rhs: MACAddress) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// Two lower-case hex digits.
func hexByte(_ byte: UInt8) -> String {
    let digits = Array("0123456789abcdef")
    return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0f)]])
}
