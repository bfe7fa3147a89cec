import DHCPCore
import DHCPService
import Inventory
import Testing

@testable import Appliance

/// `rate_limit:` in `dhcp:` and in subnets: defaults, overrides, `off`, and clear errors for bad values.
@Suite struct RateLimitConfigTests {
    func parse(_ dhcp: String) -> (config: ApplianceConfig?, errors: [String]) { parseDHCPSection(dhcp) }

    @Test func defaultsApplyWithoutAnySection() throws {
        let config = try #require(parse("  subnets:\n    - network: 10.20.0.0/24\n").config)
        let subnet = DHCPSetup.serverConfiguration(config).engine.subnets[0]
        #expect(subnet.rateLimits == DHCPRateLimits())
        #expect(subnet.rateLimits.perMAC == DHCPRateLimit(rate: 2, burst: 10))
        #expect(subnet.rateLimits.perRelay == DHCPRateLimit(rate: 1000, burst: 2000))
        #expect(DHCPSetup.serverConfiguration(config).engine.rateLimitTrackedClients == 10_000)
    }

    @Test func aSubnetOverridesTheGlobalLimitsOneByOne() throws {
        let parsed = parse(
            """
              rate_limit:
                per_mac: { rate: 30/m, burst: 4 }
                per_relay: { rate: 200/s }
                tracked_macs: 5000
              subnets:
                - network: 10.20.0.0/24
                - network: 10.30.0.0/24
                  rate_limit:
                    per_relay: { rate: 50, burst: 80 }
                - network: 10.40.0.0/24
                  rate_limit:
                    per_mac: off
                    per_relay: off

            """)
        #expect(parsed.errors == [])
        let engine = try #require(parsed.config.map(DHCPSetup.serverConfiguration)).engine
        #expect(engine.rateLimitTrackedClients == 5000)
        #expect(
            engine.subnets[0].rateLimits
                == DHCPRateLimits(
                    perMAC: DHCPRateLimit(rate: 0.5, burst: 4),
                    perRelay: DHCPRateLimit(rate: 200, burst: 200)))
        #expect(
            engine.subnets[1].rateLimits
                == DHCPRateLimits(
                    perMAC: DHCPRateLimit(rate: 0.5, burst: 4),
                    perRelay: DHCPRateLimit(rate: 50, burst: 80)))
        #expect(engine.subnets[2].rateLimits == .off)
    }

    @Test func badValuesAreErrorsWithTheirPosition() {
        let parsed = parse(
            """
              rate_limit:
                per_mac: { rate: fast }
                per_relay: sometimes
                tracked_macs: 3
              subnets:
                - network: 10.20.0.0/24
                  rate_limit:
                    per_mac: { rate: 0/s, burst: 0 }
                    tracked_macs: 100

            """)
        #expect(parsed.config == nil)
        #expect(parsed.errors.count == 6, "\(parsed.errors)")
        #expect(
            parsed.errors.contains {
                $0.hasPrefix("rackboot.yaml:5:22: error: 'rate' must be a number of requests")
            })
        #expect(parsed.errors.contains { $0.contains("'per_relay' must be off or a mapping") })
        #expect(parsed.errors.contains { $0.contains("'tracked_macs' must be a whole number from 100") })
        #expect(parsed.errors.contains { $0.contains("unknown key 'tracked_macs'") })
        #expect(parsed.errors.contains { $0.contains("'burst' must be a whole number from 1") })
    }

    @Test func ratesReadPerSecondMinuteOrHour() {
        #expect(RateLimitParser.parseRate("10/s") == 10)
        #expect(RateLimitParser.parseRate("30/m") == 0.5)
        #expect(RateLimitParser.parseRate("3600/h") == 1)
        #expect(RateLimitParser.parseRate("2.5") == 2.5)
        for bad in ["", "/s", "10/d", "-1/s", "0", "1e3", "2000000/s", "10/s/s", "nan"] {
            #expect(RateLimitParser.parseRate(bad) == nil, "\(bad)")
        }
    }

    @Test func statusNamesOnlyTheDropsThatHappened() {
        let status = ApplianceStatus(machines: 9)
        status.record(activeLeases: 3, transfersInFlight: 0, dhcp: DHCPServerStatistics())
        #expect(status.line() == "9 machines, 3 active leases, 0 transfers in flight; no reload yet")
        var counted = DHCPServerStatistics()
        counted.malformed = 4
        counted.dropped = 1
        counted.poolExhausted = 30
        status.record(activeLeases: 50, transfersInFlight: 2, dhcp: counted)
        #expect(
            status.line()
                == "9 machines, 50 active leases, 2 transfers in flight; "
                + "DHCP dropped 5 malformed, 30 pool exhausted; no reload yet")
        counted.rateLimited = 1200
        status.record(activeLeases: 50, transfersInFlight: 2, dhcp: counted)
        #expect(status.line().contains("; DHCP dropped 5 malformed, 1200 rate-limited, 30 pool exhausted;"))
    }
}
