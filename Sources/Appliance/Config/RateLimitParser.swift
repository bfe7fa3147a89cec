import DHCPCore
import DHCPService
import Foundation
import Inventory
import Yams

/// Reads `rate_limit:` sections (in `dhcp:` and in each subnet):
///
/// ```yaml
/// rate_limit:
///   per_mac: { rate: 2/s, burst: 10 }        # or: off
///   per_relay: { rate: 1000/s, burst: 2000 } # or: off
///   tracked_macs: 10000                       # dhcp: only
/// ```
enum RateLimitParser {
    /// One limit as written: absent (inherit), `off`, or a rate and burst.
    enum Setting: Sendable, Hashable {
        case inherit
        case off
        case limit(DHCPRateLimit)

        func applied(to inherited: DHCPRateLimit?) -> DHCPRateLimit? {
            switch self {
            case .inherit: return inherited
            case .off: return nil
            case .limit(let limit): return limit
            }
        }
    }

    static let globalKeys = ["per_mac", "per_relay", "tracked_macs"]
    static let subnetKeys = ["per_mac", "per_relay"]

    /// The `rate_limit:` of `reader`, or `nil` when it is absent or broken (problems are reported).
    static func section(_ reader: MappingReader, allowedKeys: [String]) -> MappingReader? {
        reader.mapping("rate_limit", describing: "'rate_limit'", allowedKeys: allowedKeys)
    }

    /// `per_mac` or `per_relay`: `off`, or a mapping with `rate` (required) and `burst` (default: one second's
    /// worth of the rate, at least 1).
    static func setting(_ key: String, in section: MappingReader, collector: DiagnosticCollector) -> Setting {
        guard let node = section.node(key) else { return .inherit }
        if case .scalar = node {
            guard let text = section.string(key) else { return .inherit }
            if ["off", "false", "no"].contains(text.value.lowercased()) { return .off }
            collector.error(
                "'\(key)' must be off or a mapping such as { rate: 10/s, burst: 20 }, not "
                    + "'\(text.value)'", at: text.location)
            return .inherit
        }
        guard let limit = section.mapping(key, describing: "'\(key)'", allowedKeys: ["rate", "burst"]),
            let rateText = limit.string("rate", required: true)
        else { return .inherit }
        let burst = limit.integer("burst", in: 1...1_000_000)
        guard let rate = parseRate(rateText.value) else {
            collector.error(
                "'rate' must be a number of requests per second, minute or hour such as 10/s, 30/m "
                    + "or 100/h (at most 1000000/s), not '\(rateText.value)'", at: rateText.location)
            return .inherit
        }
        guard limit.contains("burst") == (burst != nil) else { return .inherit }
        return .limit(DHCPRateLimit(rate: rate, burst: burst?.value ?? max(1, Int(rate.rounded(.up)))))
    }

    /// `10/s`, `30/m`, `100/h` or a plain number (per second) as requests per second; `nil` when unreadable,
    /// not positive, or above a million a second.
    static func parseRate(_ text: String) -> Double? {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count) else { return nil }
        let unitSeconds: Double
        switch parts.count == 2 ? String(parts[1]).trimmingCharacters(in: .whitespaces) : "s" {
        case "s", "sec", "second": unitSeconds = 1
        case "m", "min", "minute": unitSeconds = 60
        case "h", "hour": unitSeconds = 3600
        default: return nil
        }
        let number = String(parts[0]).trimmingCharacters(in: .whitespaces)
        guard !number.isEmpty, number.allSatisfy({ ("0"..."9").contains($0) || $0 == "." }), let count = Double(number),
            count > 0, count.isFinite
        else { return nil }
        let rate = count / unitSeconds
        return rate <= 1_000_000 ? rate : nil
    }
}
