import CoreMetrics
import DHCPCore

/// The DHCP server's counters, through swift-metrics (the appliance picks the backend; docs/monitoring.md lists the
/// names). Every label value comes from a closed set, so the number of series never grows with the clients.
final class DHCPMetrics: Sendable {
    static let messagesName = "rackboot_dhcp_messages_total"
    static let droppedName = "rackboot_dhcp_dropped_total"
    static let commitDurationName = "rackboot_dhcp_lease_commit_duration_seconds"
    static let sharedStoreRefusalsName = "rackboot_dhcp_shared_store_refusals_total"

    /// Why a request got no answer: the `reason` label of `rackboot_dhcp_dropped_total`.
    enum DropReason: String, CaseIterable {
        case malformed, invalid
        case rateLimited = "rate_limited"
        case poolExhausted = "pool_exhausted"
        case leaseStoreFailed = "lease_store_failed"
        case sharedStoreConflict = "shared_store_conflict"
    }

    private let messages: [String: Counter]
    private let drops: [DropReason: Counter]
    private let commitDuration: Timer
    private let sharedStoreRefusals: Counter

    /// Makes every series up front, so each reads 0 from the start instead of appearing with its first event.
    init() {
        var messages: [String: Counter] = [:]
        for type in Self.typeLabels {
            for outcome in Self.outcomeLabels {
                messages[type + "/" + outcome] = Counter(
                    label: Self.messagesName, dimensions: [("type", type), ("outcome", outcome)])
            }
        }
        self.messages = messages
        var drops: [DropReason: Counter] = [:]
        for reason in DropReason.allCases {
            drops[reason] = Counter(label: Self.droppedName, dimensions: [("reason", reason.rawValue)])
        }
        self.drops = drops
        commitDuration = Timer(label: Self.commitDurationName, preferredDisplayUnit: .seconds)
        sharedStoreRefusals = Counter(label: Self.sharedStoreRefusalsName)
    }

    /// The request types a client sends, and `other` for a message without a known type.
    static let typeLabels = ["discover", "request", "decline", "release", "inform", "other"]
    static let outcomeLabels = DHCPEvent.Kind.allLabels

    static func typeLabel(_ type: DHCPMessageType?) -> String {
        switch type {
        case .discover: "discover"
        case .request: "request"
        case .decline: "decline"
        case .release: "release"
        case .inform: "inform"
        default: "other"
        }
    }

    /// One decided request: its type and what became of it.
    func count(_ event: DHCPEvent) {
        messages[Self.typeLabel(event.messageType) + "/" + event.kind.metricLabel]?.increment()
        switch event.kind {
        case .dropped: drops[.invalid]?.increment()
        case .rateLimited: drops[.rateLimited]?.increment()
        case .poolExhausted: drops[.poolExhausted]?.increment()
        default: break
        }
    }

    func dropped(_ reason: DropReason) { drops[reason]?.increment() }

    /// A shared store refused a lease change: another appliance holds the address.
    func refusedBySharedStore() { sharedStoreRefusals.increment() }

    /// How long a batch of lease changes waited for its commit, from hand-off to the store's answer.
    func committed(after duration: Duration) { commitDuration.recordNanoseconds(duration.nanoseconds) }
}

extension DHCPEvent.Kind {
    /// The `outcome` label: the log's name with `_` for `-`, as Prometheus label values usually are.
    var metricLabel: String { rawValue.replacingOccurrences(of: "-", with: "_") }

    static var allLabels: [String] { allCases.map(\.metricLabel) }
}

extension Duration {
    /// Whole nanoseconds, for swift-metrics' timers.
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
