import Synchronization

/// The facts `STATUS=` reports, gathered from the services: machines in force, active leases, transfers in
/// flight, and how the last reload went.
final class ApplianceStatus: Sendable {
    private struct Facts {
        var machines = 0
        var activeLeases: Int?
        var transfersInFlight: Int?
        var lastReload = "no reload yet"
        var leaseStoreProblem: String?
    }

    private let facts = Mutex(Facts())

    init(machines: Int) {
        facts.withLock { $0.machines = machines }
    }

    func recordReload(_ outcome: String, machines: Int?) {
        facts.withLock {
            $0.lastReload = outcome
            if let machines { $0.machines = machines }
        }
    }

    func record(activeLeases: Int?, transfersInFlight: Int?) {
        facts.withLock {
            $0.activeLeases = activeLeases
            $0.transfersInFlight = transfersInFlight
        }
    }

    /// `nil` while the lease store commits; otherwise what `line()` appends, such as `lease store failing: …`.
    func record(leaseStoreProblem: String?) {
        facts.withLock { $0.leaseStoreProblem = leaseStoreProblem }
    }

    /// `9 machines, 3 active leases, 2 transfers in flight; reload ok (SIGHUP)`, then `; lease store failing: …`
    /// during an outage.
    func line() -> String {
        facts.withLock { facts in
            var parts = ["\(facts.machines) machines"]
            if let leases = facts.activeLeases { parts.append("\(leases) active leases") }
            if let transfers = facts.transfersInFlight { parts.append("\(transfers) transfers in flight") }
            return parts.joined(separator: ", ") + "; " + facts.lastReload
                + (facts.leaseStoreProblem.map { "; " + $0 } ?? "")
        }
    }
}
