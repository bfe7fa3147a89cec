import Inventory
import Testing

@testable import Appliance

/// `http:`: off when absent or `enabled: false`, port 80 by default, errors with their line.
@Suite struct HTTPConfigTests {
    private func parse(_ http: String?) -> (config: ApplianceConfig?, errors: [String]) {
        let text = "boot:\n  next_server: 10.20.0.2\n" + (http.map { "http:\n" + $0 } ?? "")
        let collector = DiagnosticCollector()
        let config = ConfigParser.parse(
            YAMLSource(path: "rackboot.yaml", text: text), resolvePath: { $0 }, collector: collector)
        return (config, collector.diagnostics.filter { $0.severity == .error }.map(\.description))
    }

    @Test func offWhenAbsentOrDisabled() throws {
        let absent = try #require(parse(nil).config)
        #expect(absent.http == nil)
        let disabled = try #require(parse("  enabled: false\n  port: 8080\n").config)
        #expect(disabled.http == nil)
    }

    @Test func aBareSectionKeyTurnsItOnWithDefaults() throws {
        let config = try #require(parse("").config)
        let http = try #require(config.http)
        #expect(http.port == 80)
    }

    @Test func defaultsAndSettings() throws {
        let enabled = try #require(parse("  enabled: true\n").config)
        let defaults = try #require(enabled.http)
        #expect(defaults.port == 80 && defaults.address == IPv4Address(rawValue: 0))
        #expect(defaults.maxConnections == 1024 && defaults.requestTimeout == 10 && defaults.sendTimeout == 30)
        let text =
            "  address: 10.20.0.2\n  port: 8080\n  max_connections: 64\n  request_timeout: 3s\n  send_timeout: 1m\n"
        let configured = try #require(parse(text).config)
        let set = try #require(configured.http)
        #expect(set.port == 8080 && set.address == IPv4Address("10.20.0.2"))
        #expect(set.maxConnections == 64 && set.requestTimeout == 3 && set.sendTimeout == 60)
    }

    @Test func errorsNameTheirLine() {
        let parsed = parse("  port: 70000\n  address: nowhere\n  colour: blue\n")
        #expect(parsed.config == nil)
        #expect(parsed.errors.contains { $0.hasPrefix("rackboot.yaml:4:") && $0.contains("port") }, "\(parsed.errors)")
        #expect(
            parsed.errors.contains { $0.hasPrefix("rackboot.yaml:5:") && $0.contains("nowhere") }, "\(parsed.errors)")
        #expect(parsed.errors.contains { $0.contains("colour") }, "\(parsed.errors)")
    }
}
