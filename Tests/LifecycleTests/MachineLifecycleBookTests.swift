import Foundation
import Inventory
import Lifecycle
import LifecycleService
import Logging
import Synchronization
import Testing

/// The live book over a real SQLite file: a callback is on disk when answered, and survives reopening.
@Suite struct MachineLifecycleBookTests {
    final class Installed: Sendable {
        let names = Mutex<Set<String>>([])
    }

    func temporaryDatabase() -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rackboot-lifecycle-\(UUID())")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder.path + "/machines.sqlite"
    }

    func book(_ path: String, installed: Installed, token: String = "tok") throws -> MachineLifecycleBook {
        try MachineLifecycleBook(
            store: MachineStateStore(path: path), logger: Logger(label: "test"), now: { 1000 },
            makeToken: { token }, installedChanged: { names in installed.names.withLock { $0 = names } })
    }

    @Test func anInstallSurvivesARestartAndAReinstallToo() async throws {
        let path = temporaryDatabase()
        let installed = Installed()
        let first = try book(path, installed: installed)
        let mac = MACAddress("52:54:00:00:00:01")!
        first.observeDHCP(hostname: "Web-01", mac: mac, address: IPv4Address("10.0.0.5")!)
        first.observeServed(hostname: "Web-01", path: "ipxe/x.ipxe", isConfig: true, startsInstall: true, mac: mac)
        #expect(first.record(for: "web-01").phase == .installing)
        let wrong = await first.callback(hostname: "web-01", token: "nope", client: IPv4Address("10.0.0.5")!, mac: mac)
        #expect(wrong == .failure(.wrongToken))
        let right = await first.callback(hostname: "web-01", token: "tok", client: IPv4Address("10.0.0.5")!, mac: mac)
        #expect((try? right.get())?.phase == .installed)
        #expect(installed.names.withLock { $0 } == ["web-01"])
        await first.flush()

        let reopened = Installed()
        let second = try book(path, installed: reopened, token: "tok2")
        #expect(reopened.names.withLock { $0 } == ["web-01"], "installed state lost across a restart")
        #expect(second.record(for: "web-01").lastDHCPAddress == "10.0.0.5")
        let replay = await second.callback(hostname: "web-01", token: "tok", client: IPv4Address("10.0.0.5")!, mac: mac)
        #expect(replay == .failure(.alreadyInstalled))

        _ = await second.reinstall(hostname: "web-01", mac: mac)
        #expect(reopened.names.withLock { $0 }.isEmpty)
        let third = try book(path, installed: Installed(), token: "tok3")
        #expect(third.record(for: "web-01").phase == .pending)
        #expect(third.record(for: "web-01").installToken == "tok2")
    }

    @Test func tokensAreLongAndDiffer() {
        let a = MachineLifecycleBook.randomToken()
        let b = MachineLifecycleBook.randomToken()
        #expect(a.count == 64 && a != b && a.allSatisfy(\.isHexDigit))
    }
}
