import DHCPCore
import DHCPService
import HTTPService
import LifecycleService
import ServiceLifecycle
import Systemd
import TFTPCore
import TFTPService

/// Keeps `STATUS=` current every few seconds, and sends `STOPPING=1` as soon as a graceful stop begins (it is the
/// last service, so the group stops it first).
struct StatusService: Service {
    let notifier: ServiceNotifier
    let status: ApplianceStatus
    let dhcp: DHCPServer.Running?
    let tftp: TFTPServer
    let http: HTTPServer?
    let book: MachineLifecycleBook
    var interval: Duration = .seconds(5)

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                let dhcpStatus = try? await dhcp?.status().get()
                status.record(
                    activeLeases: dhcpStatus?.activeLeases, transfersInFlight: tftp.transfersInFlight,
                    dhcp: dhcpStatus?.statistics, malformedTFTPDatagrams: tftp.malformedDatagrams,
                    tftpClientsGone: tftp.clientsGone)
                status.record(
                    httpConnections: http?.counters.openConnections, httpRefused: http?.counters.requestsRefused ?? 0,
                    installedMachines: book.installedHostnames.count)
                status.record(leaseStoreProblem: dhcpStatus?.statistics.storeOutage.summary)
                notifier.status(status.line())
                try await Task.sleep(for: interval)
            }
        }
        notifier.stopping(status: "stopping: finishing transfers and lease commits")
    }
}
