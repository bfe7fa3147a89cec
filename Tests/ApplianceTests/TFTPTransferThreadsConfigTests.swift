import Inventory
import TFTPCore
import TFTPService
import Testing

@testable import Appliance

/// `tftp.transfer_threads` (one per core unless set, a clear error outside 1–256), `tftp.transfer_io` (`auto`
/// unless set, `auto` or `epoll`) and `tftp.busy_poll_us` (200 unless set, 0–1000).
@Suite struct TFTPTransferThreadsConfigTests {
    private func parse(_ tftp: String) -> (config: ApplianceConfig?, errors: [String]) {
        let text = "boot:\n  next_server: 10.20.0.2\ntftp:\n" + tftp
        let collector = DiagnosticCollector()
        let config = ConfigParser.parse(
            YAMLSource(path: "rackboot.yaml", text: text), resolvePath: { $0 }, collector: collector)
        return (config, collector.diagnostics.filter { $0.severity == .error }.map(\.description))
    }

    @Test func unsetMeansOnePerCore() throws {
        let config = try #require(parse("  port: 69\n").config)
        #expect(config.tftp.transferThreads == nil)
    }

    @Test func aCountIsTaken() throws {
        let parsed = parse("  transfer_threads: 3\n")
        #expect(parsed.errors == [])
        #expect(parsed.config?.tftp.transferThreads == 3)
    }

    @Test func zeroIsAnErrorWithItsLine() {
        let parsed = parse("  transfer_threads: 0\n")
        #expect(parsed.config == nil)
        #expect(parsed.errors.count == 1)
        #expect(parsed.errors.first?.contains("rackboot.yaml:4") == true, "\(parsed.errors)")
        #expect(parsed.errors.first?.contains("transfer_threads") == true, "\(parsed.errors)")
    }

    @Test func transferIODefaultsToAutomaticAndTakesEpoll() throws {
        #expect(try #require(parse("  port: 69\n").config).tftp.transferIO == .automatic)
        let parsed = parse("  transfer_io: epoll\n")
        #expect(parsed.errors == [])
        #expect(parsed.config?.tftp.transferIO == .epoll)
    }

    @Test func anUnknownTransferIOIsAnErrorWithItsLine() {
        let parsed = parse("  transfer_io: uring\n")
        #expect(parsed.config == nil)
        #expect(parsed.errors.count == 1)
        #expect(parsed.errors.first?.contains("rackboot.yaml:4") == true, "\(parsed.errors)")
        #expect(parsed.errors.first?.contains("transfer_io") == true, "\(parsed.errors)")
    }

    @Test func busyPollDefaultsTo200MicrosecondsAndTakesZero() throws {
        #expect(try #require(parse("  port: 69\n").config).tftp.busyPollMicroseconds == 200)
        let parsed = parse("  busy_poll_us: 0\n")
        #expect(parsed.errors == [])
        #expect(parsed.config?.tftp.busyPollMicroseconds == 0)
    }

    @Test func aBusyPollAboveOneMillisecondIsAnErrorWithItsLine() {
        let parsed = parse("  busy_poll_us: 5000\n")
        #expect(parsed.config == nil)
        #expect(parsed.errors.count == 1)
        #expect(parsed.errors.first?.contains("rackboot.yaml:4") == true, "\(parsed.errors)")
        #expect(parsed.errors.first?.contains("busy_poll_us") == true, "\(parsed.errors)")
    }
}
