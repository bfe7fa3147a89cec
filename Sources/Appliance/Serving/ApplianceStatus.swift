import DHCPCore
import DHCPService
import Synchronization

/// The facts `STATUS=` reports, gathered from the services: machines in force, active leases, transfers in
/// flight, DHCP requests dropped (only when some were), and how the last reload went.
final class ApplianceStatus: Sendable {
    private struct Facts {
        var machines = 0
        var activeLeases: Int?
        var transfersInFlight: Int?
        var dhcpDrops: DHCPServerStatistics?
        var malformedTFTPDatagrams = 0
        var tftpClientsGone = 0
        var httpConnections: Int?
        var httpRefused = 0
        var installedMachines = 0
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

    func record(
        activeLeases: Int?, transfersInFlight: Int?, dhcp: DHCPServerStatistics? = nil, malformedTFTPDatagrams: Int = 0,
        tftpClientsGone: Int = 0
    ) {
        facts.withLock {
            $0.activeLeases = activeLeases
            $0.transfersInFlight = transfersInFlight
            $0.dhcpDrops = dhcp
            $0.malformedTFTPDatagrams = malformedTFTPDatagrams
            $0.tftpClientsGone = tftpClientsGone
        }
    }

    /// The HTTP service's open connections and refused requests (`nil` when it is off), and machines installed.
    func record(httpConnections: Int?, httpRefused: Int, installedMachines: Int) {
        facts.withLock {
            $0.httpConnections = httpConnections
            $0.httpRefused = httpRefused
            $0.installedMachines = installedMachines
        }
    }

    /// `nil` while the lease store commits; otherwise what `line()` appends, such as `lease store failing: …`.
    func record(leaseStoreProblem: String?) {
        facts.withLock { $0.leaseStoreProblem = leaseStoreProblem }
    }

    /// `9 machines, 3 active leases, 2 transfers in flight, 4 HTTP connections, 2 installed; DHCP dropped 4
    /// malformed, 1200 rate-limited, 30 pool exhausted; TFTP dropped 2 malformed; 3 TFTP clients gone mid-transfer;
    /// HTTP refused 7 requests; reload ok (SIGHUP)`, then
    /// `; lease store failing: …` during an outage. The DHCP and TFTP parts appear once something was counted, and
    /// name only the non-zero counters (since start).
    func line() -> String {
        facts.withLock { facts in
            var parts = ["\(facts.machines) machines"]
            if let leases = facts.activeLeases { parts.append("\(leases) active leases") }
            if let transfers = facts.transfersInFlight { parts.append("\(transfers) transfers in flight") }
            if let connections = facts.httpConnections { parts.append("\(connections) HTTP connections") }
            if facts.installedMachines > 0 { parts.append("\(facts.installedMachines) installed") }
            var line = parts.joined(separator: ", ")
            if let drops = facts.dhcpDrops.map(Self.dropSummary), !drops.isEmpty { line += "; DHCP dropped " + drops }
            if facts.malformedTFTPDatagrams > 0 { line += "; TFTP dropped \(facts.malformedTFTPDatagrams) malformed" }
            if facts.tftpClientsGone > 0 { line += "; \(facts.tftpClientsGone) TFTP clients gone mid-transfer" }
            if facts.httpRefused > 0 { line += "; HTTP refused \(facts.httpRefused) requests" }
            return line + "; " + facts.lastReload + (facts.leaseStoreProblem.map { "; " + $0 } ?? "")
        }
    }

    /// `4 malformed, 1200 rate-limited, 30 pool exhausted`, without the zero counts; malformed includes decoded
    /// requests the server cannot use (wrong htype/hlen, no message type, a broken option 82).
    static func dropSummary(_ statistics: DHCPServerStatistics) -> String {
        [
            (statistics.malformed + statistics.dropped, "malformed"), (statistics.rateLimited, "rate-limited"),
            (statistics.poolExhausted, "pool exhausted"),
        ]
        .filter { $0.0 > 0 }.map { "\($0.0) \($0.1)" }.joined(separator: ", ")
    }
}
