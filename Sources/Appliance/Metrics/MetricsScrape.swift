import CoreMetrics
import DHCPCore
import DHCPService
import Foundation
import HTTPService
import Inventory
import Lifecycle
import LifecycleService
import Prometheus
import Synchronization
import TFTPService

/// What `GET /metrics` answers: the counters the services keep, plus the gauges only a look at the present can give
/// (pool usage, transfers and connections open, machines by lifecycle state, the process), set just before the
/// registry is written out in Prometheus' text format.
final class MetricsScrape: Sendable {
    private let registry: PrometheusCollectorRegistry
    private let dhcp: DHCPServer.Running?
    private let tftp: TFTPServer
    /// Set once the HTTP service exists (it needs this scrape to exist first).
    private let http = Mutex<HTTPServer?>(nil)
    private let inventory: SharedInventory
    private let book: MachineLifecycleBook
    /// The pools given gauges at the last scrape, so a pool a reload removed loses its series.
    private let poolsShown = Mutex<Set<String>>([])
    private let cpuSecondsCounted = Mutex<Double>(0)
    private let cpuSeconds = FloatingPointCounter(label: "process_cpu_seconds_total")

    /// The lifecycle states of `rackboot machines`, as label values.
    static let machineStates = [
        "never_seen", "install_pending", "installing", "installed", "reinstall_pending", "local",
    ]

    init(
        registry: PrometheusCollectorRegistry, dhcp: DHCPServer.Running?, tftp: TFTPServer,
        inventory: SharedInventory, book: MachineLifecycleBook
    ) {
        self.registry = registry
        self.dhcp = dhcp
        self.tftp = tftp
        self.inventory = inventory
        self.book = book
        Gauge(label: "rackboot_build_info", dimensions: [("version", RackbootVersion.string)]).record(1)
        if let start = ProcessStatistics.read()?.startTime {
            Gauge(label: "process_start_time_seconds").record(start)
        }
    }

    func attach(_ server: HTTPServer) { http.withLock { $0 = server } }

    func scrape() async -> HTTPEndpointReply {
        if let pools = try? await dhcp?.poolUsage().get() { recordPools(pools) }
        Gauge(label: "rackboot_tftp_transfers_in_flight").record(tftp.transfersInFlight)
        if let server = http.withLock({ $0 }) {
            Gauge(label: "rackboot_http_connections_open").record(server.counters.openConnections)
        }
        recordMachines()
        recordProcess()
        return HTTPEndpointReply(
            status: 200, contentType: "text/plain; version=0.0.4; charset=utf-8", body: registry.emitToBuffer())
    }

    private func recordPools(_ pools: [PoolUsage]) {
        var shown = Set<String>()
        for usage in pools {
            let pool = usage.pool.description
            shown.insert(pool)
            for (state, count) in [("leased", usage.leased), ("held", usage.held), ("free", usage.free)] {
                Gauge(label: "rackboot_dhcp_pool_addresses", dimensions: [("pool", pool), ("state", state)])
                    .record(count)
            }
        }
        let removed = poolsShown.withLock { previous in
            defer { previous = shown }
            return previous.subtracting(shown)
        }
        for pool in removed {
            for state in ["leased", "held", "free"] {
                Gauge(label: "rackboot_dhcp_pool_addresses", dimensions: [("pool", pool), ("state", state)]).destroy()
            }
        }
    }

    private func recordMachines() {
        let listing = MachineListing(machines: inventory.inventory.machines, records: book.records)
        var counts = Dictionary(uniqueKeysWithValues: Self.machineStates.map { ($0, 0) })
        for machine in listing.machines {
            counts[machine.lifecycle.replacingOccurrences(of: " ", with: "_"), default: 0] += 1
        }
        for (state, count) in counts {
            Gauge(label: "rackboot_machines", dimensions: [("state", state)]).record(count)
        }
    }

    private func recordProcess() {
        guard let process = ProcessStatistics.read() else { return }
        Gauge(label: "process_resident_memory_bytes").record(process.residentBytes)
        Gauge(label: "process_virtual_memory_bytes").record(process.virtualBytes)
        if let descriptors = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") {
            Gauge(label: "process_open_fds").record(descriptors.count)
        }
        let increase = cpuSecondsCounted.withLock { counted in
            defer { counted = max(counted, process.cpuSeconds) }
            return max(0, process.cpuSeconds - counted)
        }
        if increase > 0 { cpuSeconds.increment(by: increase) }
    }
}
