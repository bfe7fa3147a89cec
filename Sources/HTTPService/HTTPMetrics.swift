import CoreMetrics
import HTTPCore
import Synchronization

/// The HTTP service's counters, through swift-metrics (docs/monitoring.md lists the names). The `route` label is
/// the route's kind, never its path, and `status` a code the service itself sends, so series stay few.
final class HTTPMetrics: Sendable {
    private struct Key: Hashable {
        var route: String
        var status: Int
    }

    private let requests = Mutex<[Key: Counter]>([:])
    private let bytes: [String: Counter]
    private let overLimit = Counter(label: "rackboot_http_connections_refused_total")

    static let routeLabels = ["boot_file", "answer_file", "callback", "metrics", "other"]

    init() {
        var bytes: [String: Counter] = [:]
        for route in Self.routeLabels {
            bytes[route] = Counter(label: "rackboot_http_response_bytes_total", dimensions: [("route", route)])
        }
        self.bytes = bytes
        // The usual outcomes exist from the start, so a rate over them never starts from a missing series.
        for route in Self.routeLabels { for status in [200, 404] { _ = counter(route: route, status: status) } }
    }

    static func routeLabel(_ route: HTTPRoute) -> String {
        switch route {
        case .bootFile: "boot_file"
        case .answerFile: "answer_file"
        case .installCallback: "callback"
        case .metrics: "metrics"
        case .nothing: "other"
        }
    }

    private func counter(route: String, status: Int) -> Counter {
        requests.withLock { counters in
            let key = Key(route: route, status: status)
            if let counter = counters[key] { return counter }
            let counter = Counter(
                label: "rackboot_http_requests_total", dimensions: [("route", route), ("status", "\(status)")])
            counters[key] = counter
            return counter
        }
    }

    /// A response went out whole: its route, status and body bytes.
    func responded(_ route: HTTPRoute, status: Int, bytes count: Int) {
        let label = Self.routeLabel(route)
        counter(route: label, status: status).increment()
        if count > 0 { bytes[label]?.increment(by: Int64(count)) }
    }

    func connectionOverLimit() { overLimit.increment() }
}
