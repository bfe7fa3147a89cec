import HTTPService
import Inventory
import Lifecycle
import LifecycleService

/// The HTTP service's machine-facing answers: answer files (rendered per request, only to the machine itself) and
/// the install callback, over the current inventory and the lifecycle book.
struct MachineEndpoints: HTTPMachineEndpoints {
    let activity: MachineActivity
    let metricsScrape: MetricsScrape

    func metrics() async -> HTTPEndpointReply { await metricsScrape.scrape() }

    func answerFile(hostname: String, name: String, client: IPv4Address) async -> HTTPEndpointReply {
        let snapshot = activity.inventory.inventory
        guard let files = snapshot.answerFiles[hostname.lowercased()] else {
            return .text(404, "Not Found", logNote: "no machine '\(hostname)' with answer files")
        }
        let mac = activity.addressBook.mac(at: client)
        // Checked before any record or token is made for the machine: a stranger's request changes nothing.
        guard files.isOwnAddress(client, macAtClient: mac) else {
            return .text(403, "Forbidden", logNote: "\(client) is not \(files.hostname)'s address")
        }
        var record = activity.book.record(for: files.hostname)
        if activity.book.sharesRecords {
            // Appliances that each met the machine first drew a token each: the store keeps one, and the answer
            // file must carry that one, whichever appliance the callback then reaches.
            guard await activity.book.save(hostname: files.hostname) else {
                return .text(503, "Service Unavailable", logNote: "the machine state could not be saved")
            }
            record = activity.book.record(for: files.hostname)
        }
        let callback = MachineState.callbackURL(files, record: record)
        switch files.render(
            name, client: client, macAtClient: mac, callbackURL: callback, subnets: snapshot.answerFileSubnets)
        {
        case .rendered(let text):
            let machineIsInstalling = snapshot.machine(for: files.macs[0]).map { !snapshot.bootsLocalDisk($0) } ?? false
            activity.book.observeServed(
                hostname: files.hostname, path: "files/\(files.hostname)/\(name)", isConfig: true,
                startsInstall: machineIsInstalling, mac: mac ?? files.macs.first)
            // The token in this answer must survive a crash, or the callback it enables would be refused.
            guard await activity.book.save(hostname: files.hostname) else {
                return .text(503, "Service Unavailable", logNote: "the machine state could not be saved")
            }
            return HTTPEndpointReply(status: 200, body: Array(text.utf8))
        case .notFound(let reason):
            return .text(404, "Not Found", logNote: reason)
        case .forbidden(let reason):
            return .text(403, "Forbidden", logNote: reason)
        }
    }

    func installCallback(hostname: String, token: String, client: IPv4Address) async -> HTTPEndpointReply {
        let snapshot = activity.inventory.inventory
        let mac = activity.addressBook.mac(at: client)
        guard let machine = snapshot.machines.first(where: { $0.hostname.lowercased() == hostname.lowercased() }),
            machine.state == .install
        else {
            let reason = "no machine '\(hostname)' in state install"
            activity.book.logRefusedCallback(hostname: hostname, client: client, mac: mac, reason: reason)
            return .text(403, "Forbidden", logNote: reason)
        }
        // Like its answer files, a machine's callback comes from the machine: its fixed address or a lease of its.
        guard machine.isOwnAddress(client, macAtClient: mac) else {
            let reason = "\(client) is not \(machine.hostname)'s address"
            activity.book.logRefusedCallback(hostname: machine.hostname, client: client, mac: mac, reason: reason)
            return .text(403, "Forbidden", logNote: reason)
        }
        switch await activity.book.callback(
            hostname: machine.hostname, token: token, client: client, mac: mac ?? machine.macs.first)
        {
        case .success:
            return .text(200, "installed: \(machine.hostname) boots its disk from now on")
        case .failure(.notSaved):
            return .text(503, "Service Unavailable", logNote: "\(MachineLifecycle.CallbackRefusal.notSaved)")
        case .failure(let refusal):
            return .text(403, "Forbidden", logNote: "\(refusal)")
        }
    }

    func bootFileServed(path: String, isRendered: Bool, client: IPv4Address) {
        activity.fileServed(path: path, isRendered: isRendered, client: client, mac: nil)
    }
}
