/// An IPv4 subnet in CIDR form (`10.20.0.0/24`).
public struct IPv4Network: Hashable, Sendable, CustomStringConvertible {
    public let address: IPv4Address
    public let prefixLength: Int

    /// Why a CIDR text was refused, worded for the admin.
    public enum ParseError: Error, Equatable, CustomStringConvertible {
        case malformed(String)
        case hostBitsSet(String, suggestion: String)

        public var description: String {
            switch self {
            case .malformed(let text):
                return "'\(text)' is not a subnet in CIDR form such as 10.20.0.0/24"
            case .hostBitsSet(let text, let suggestion):
                return "'\(text)' has host bits set; the subnet is \(suggestion)"
            }
        }
    }

    public init(address: IPv4Address, prefixLength: Int) {
        precondition((0...32).contains(prefixLength))
        self.address = IPv4Address(rawValue: address.rawValue & Self.mask(prefixLength))
        self.prefixLength = prefixLength
    }

    public static func parse(_ text: String) -> Result<IPv4Network, ParseError> {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let address = IPv4Address(String(parts[0])),
            parts[1].allSatisfy(\.isASCIIDigit), let length = Int(parts[1]), (0...32).contains(length),
            !parts[1].isEmpty
        else { return .failure(.malformed(text)) }
        let network = IPv4Network(address: address, prefixLength: length)
        guard network.address == address else {
            return .failure(.hostBitsSet(text, suggestion: network.description))
        }
        return .success(network)
    }

    public var netmask: IPv4Address { IPv4Address(rawValue: Self.mask(prefixLength)) }

    public var broadcastAddress: IPv4Address { IPv4Address(rawValue: address.rawValue | ~Self.mask(prefixLength)) }

    public func contains(_ candidate: IPv4Address) -> Bool {
        candidate.rawValue & Self.mask(prefixLength) == address.rawValue
    }

    public func overlaps(_ other: IPv4Network) -> Bool {
        contains(other.address) || other.contains(address)
    }

    /// Whether a machine may use this address: not the network or broadcast address (except in /31 and /32).
    public func isUsableHost(_ candidate: IPv4Address) -> Bool {
        guard contains(candidate) else { return false }
        guard prefixLength < 31 else { return true }
        return candidate != address && candidate != broadcastAddress
    }

    public var description: String { "\(address)/\(prefixLength)" }

    private static func mask(_ length: Int) -> UInt32 {
        length == 0 ? 0 : UInt32.max << (32 - length)
    }
}
