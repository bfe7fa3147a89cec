import LifecycleService
import ServiceLifecycle

/// Writes the lifecycle observations (last DHCP, last file) every `interval`, and once more at shutdown; with a
/// shared database, also reads back the install phases other appliances changed.
struct LifecycleFlushService: Service {
    let book: MachineLifecycleBook
    var interval: Duration = .seconds(2)

    func run() async throws {
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            try? await Task.sleep(for: interval)
            await book.flush()
            await book.refresh()
        }
        await book.flush()
    }
}
