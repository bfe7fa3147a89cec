/// One token-bucket limit: `burst` requests at once, then `rate` requests per second on average.
public struct DHCPRateLimit: Sendable, Hashable, CustomStringConvertible {
    /// Requests per second the bucket refills with; above zero.
    public var rate: Double
    /// Requests accepted at once from a full bucket; at least 1.
    public var burst: Int

    public init(rate: Double, burst: Int) {
        precondition(rate > 0 && burst >= 1, "a rate limit needs a positive rate and a burst of at least 1")
        self.rate = rate
        self.burst = burst
    }

    /// Seconds an empty bucket takes to refill completely: after that, forgetting it changes nothing.
    var refillSeconds: Double { Double(burst) / rate }

    public var description: String { "\(rate.formatted)/s, burst \(burst)" }
}

/// The limits that apply to one subnet's requests. `nil` turns a limit off.
public struct DHCPRateLimits: Sendable, Hashable {
    /// Per client MAC (chaddr). Firmware retries a DISCOVER after 4, 8, 16 and 32 s (docs/protocol.md, "Retries and
    /// timing of firmware"), and a full network boot is three DORAs (PXE ROM, iPXE, the installed system), so 2/s with
    /// a burst of 10 never touches a working client, even through two redundant relays that double every packet.
    public var perMAC: DHCPRateLimit?
    /// Per relay agent (giaddr), and per interface for clients on a served link. A boot storm of 500 machines
    /// behind one relay is about 1000 packets within seconds (DISCOVER + REQUEST each); the default takes two
    /// such rounds at once and 1000 a second after, well below what the server can answer (docs/performance.md,
    /// "DHCP").
    public var perRelay: DHCPRateLimit?

    public init(perMAC: DHCPRateLimit? = Self.defaultPerMAC, perRelay: DHCPRateLimit? = Self.defaultPerRelay) {
        self.perMAC = perMAC
        self.perRelay = perRelay
    }

    public static let defaultPerMAC = DHCPRateLimit(rate: 2, burst: 10)
    public static let defaultPerRelay = DHCPRateLimit(rate: 1000, burst: 2000)
    public static let off = DHCPRateLimits(perMAC: nil, perRelay: nil)
}

extension Double {
    /// `2`, `0.5`: no trailing `.0` for whole numbers.
    var formatted: String {
        self == rounded() && abs(self) < 1e15 ? String(Int64(self)) : String(self)
    }
}
