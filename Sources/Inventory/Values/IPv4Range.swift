/// An inclusive range of IPv4 addresses, written `10.20.0.100-10.20.0.199`: a dynamic pool.
public struct IPv4Range: Hashable, Sendable, CustomStringConvertible {
    public let first: IPv4Address
    public let last: IPv4Address

    public init?(first: IPv4Address, last: IPv4Address) {
        guard first <= last else { return nil }
        self.first = first
        self.last = last
    }

    /// Parses `a.b.c.d-e.f.g.h` (spaces around the dash allowed); `nil` when malformed or reversed.
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2,
            let first = IPv4Address(parts[0].trimmingSpaces()),
            let last = IPv4Address(parts[1].trimmingSpaces())
        else { return nil }
        self.init(first: first, last: last)
    }

    public var count: Int { Int(last.rawValue - first.rawValue) + 1 }

    public func contains(_ address: IPv4Address) -> Bool { first <= address && address <= last }

    public func overlaps(_ other: IPv4Range) -> Bool { first <= other.last && other.first <= last }

    public var description: String { "\(first)-\(last)" }
}

extension Substring {
    func trimmingSpaces() -> String {
        String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}
