import Inventory
import Testing

@testable import Appliance

/// `tftp.transfer_threads`: one per core unless set, and a clear error outside 1–256.
@Suite struct TFTPThreadsConfigTests {
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
}
