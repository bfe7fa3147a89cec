import Inventory
import Testing

@testable import DHCPCore

/// The token buckets, driven by a mock clock: a burst at once, then the rate; per MAC and per relay; bounded
/// memory under a random-MAC flood.
@Suite struct DHCPRateLimiterTests {
    let mac = MACAddress("52:54:00:aa:00:01")!
    let relay = DHCPRequestPath.relay(IPv4Address("10.99.0.1")!)
    let perMAC = DHCPRateLimits(perMAC: DHCPRateLimit(rate: 2, burst: 5), perRelay: nil)

    /// How many of `count` requests from `mac`, one every `spacing`, are admitted starting at `start`.
    func admitted(
        _ limiter: inout DHCPRateLimiter, count: Int, spacing: Duration, from start: Duration = .zero,
        mac: MACAddress? = nil, path: DHCPRequestPath? = nil, limits: DHCPRateLimits,
        known: Bool = false
    ) -> Int {
        (0..<count).filter { index in
            limiter.admit(
                mac: mac ?? self.mac, path: path ?? relay, isKnownMachine: known, limits: limits,
                at: start + spacing * index) == .admitted
        }.count
    }

    @Test func aMACGetsItsBurstAtOnceThenTheRate() {
        var limiter = DHCPRateLimiter()
        #expect(admitted(&limiter, count: 20, spacing: .zero, limits: perMAC) == 5)
        #expect(
            limiter.admit(mac: mac, path: relay, isKnownMachine: false, limits: perMAC, at: .zero)
                == .overMACLimit(DHCPRateLimit(rate: 2, burst: 5)))
        // 2/s: one more token every 500 ms.
        #expect(
            limiter.admit(mac: mac, path: relay, isKnownMachine: false, limits: perMAC, at: .milliseconds(499))
                != .admitted)
        #expect(
            limiter.admit(mac: mac, path: relay, isKnownMachine: false, limits: perMAC, at: .milliseconds(500))
                == .admitted)
        // From 1 s to 10.9 s, a request every 100 ms: the token refilled by 1 s, then one every 500 ms.
        #expect(
            admitted(&limiter, count: 100, spacing: .milliseconds(100), from: .seconds(1), limits: perMAC)
                == 20)
        // Idle long enough to refill: a whole burst again, never more.
        #expect(admitted(&limiter, count: 20, spacing: .zero, from: .seconds(60), limits: perMAC) == 5)
    }

    @Test func aPXEROMAndEveryLaterDORANeverNoticeTheDefaults() {
        var limiter = DHCPRateLimiter()
        // DISCOVER retries at 0, 4, 12, 28 s, then a REQUEST; iPXE's DORA at 40 s; the OS's at 90 s, each twice
        // (two redundant relays deliver every packet twice).
        let times: [Duration] = [0, 4, 12, 28, 28.1, 40, 40.05, 90, 90.02].map { .milliseconds(Int64($0 * 1000)) }
        for time in times {
            for _ in 0..<2 {
                #expect(
                    limiter.admit(
                        mac: mac, path: relay, isKnownMachine: false, limits: DHCPRateLimits(),
                        at: time) == .admitted)
            }
        }
    }

    @Test func aBootStormOf500MachinesBehindOneRelayPassesTheDefaults() {
        var limiter = DHCPRateLimiter()
        var refused = 0
        // 500 machines power on within one second: PXE ROM DORA, a DISCOVER retry 4 s later for half of them,
        // then iPXE's DORA at 10 s and the installed system's at 60 s, all within a second of each other.
        for (start, packets, machines) in [(0.0, 2, 500), (4.0, 1, 250), (10.0, 2, 500), (60.0, 2, 500)] {
            for machine in 0..<machines {
                let mac = MACAddress(octets: [0x52, 0x54, 0, 1, UInt8(machine >> 8), UInt8(machine & 0xff)])
                for packet in 0..<packets {
                    let seconds = start + Double(machine) / 500 + Double(packet) * 0.01
                    let time = Duration.milliseconds(Int64(seconds * 1000))
                    if limiter.admit(
                        mac: mac, path: relay, isKnownMachine: false, limits: DHCPRateLimits(),
                        at: time) != .admitted
                    {
                        refused += 1
                    }
                }
            }
        }
        #expect(refused == 0)
    }

    @Test func aRelayIsLimitedAcrossAllItsClients() {
        var limiter = DHCPRateLimiter()
        let limits = DHCPRateLimits(perMAC: nil, perRelay: DHCPRateLimit(rate: 10, burst: 20))
        var admittedCount = 0
        // 1000 different MACs in 5 s through one relay: 20 + 10/s × 5 s.
        for index in 0..<1000 {
            let mac = MACAddress(octets: [2, 0, 0, 0, UInt8(index >> 8), UInt8(index & 0xff)])
            if limiter.admit(
                mac: mac, path: relay, isKnownMachine: false, limits: limits,
                at: .milliseconds(Int64(index * 5))) == .admitted
            {
                admittedCount += 1
            }
        }
        #expect(admittedCount >= 69 && admittedCount <= 70)
        // Another relay has its own budget.
        let other = DHCPRequestPath.relay(IPv4Address("10.98.0.1")!)
        let end = Duration.milliseconds(4995)
        #expect(limiter.admit(mac: mac, path: other, isKnownMachine: false, limits: limits, at: end) == .admitted)
        // The flooded relay is still over its limit for unknown clients, but a machine of the inventory passes.
        #expect(
            limiter.admit(mac: mac, path: relay, isKnownMachine: false, limits: limits, at: end)
                == .overRelayLimit(relay, DHCPRateLimit(rate: 10, burst: 20)))
        #expect(limiter.admit(mac: mac, path: relay, isKnownMachine: true, limits: limits, at: end) == .admitted)
    }

    @Test func aKnownMachineStillHasItsPerMACLimit() {
        var limiter = DHCPRateLimiter()
        #expect(admitted(&limiter, count: 50, spacing: .zero, limits: perMAC, known: true) == 5)
    }

    @Test func aRequestOverOneLimitIsChargedToNeither() {
        var limiter = DHCPRateLimiter()
        let limits = DHCPRateLimits(
            perMAC: DHCPRateLimit(rate: 1, burst: 2),
            perRelay: DHCPRateLimit(rate: 1, burst: 3))
        #expect(admitted(&limiter, count: 10, spacing: .zero, limits: limits) == 2)
        // The MAC's refused requests did not use the relay's budget: one token is left for another client.
        let other = MACAddress("52:54:00:aa:00:02")!
        #expect(admitted(&limiter, count: 10, spacing: .zero, mac: other, limits: limits) == 1)
    }

    @Test func limitsOffAdmitEverything() {
        var limiter = DHCPRateLimiter()
        #expect(admitted(&limiter, count: 10_000, spacing: .zero, limits: .off) == 10_000)
        #expect(limiter.trackedClientCount == 0 && limiter.trackedPathCount == 0)
    }

    @Test func timeRunningBackwardsAddsNoTokens() {
        var limiter = DHCPRateLimiter()
        #expect(admitted(&limiter, count: 5, spacing: .zero, from: .seconds(100), limits: perMAC) == 5)
        #expect(admitted(&limiter, count: 5, spacing: .zero, from: .seconds(10), limits: perMAC) == 0)
    }

    @Test func aRandomMACFloodKeepsTheTableBounded() {
        var limiter = DHCPRateLimiter(trackedClients: 1000)
        let perMACOnly = DHCPRateLimits(perMAC: DHCPRateLimits.defaultPerMAC, perRelay: nil)
        var generator = SystemRandomNumberGenerator()
        // 100,000 random MACs within 100 ms: every bucket is still refilling, so eviction is by age.
        var largest = 0
        for index in 0..<100_000 {
            let octets = (0..<6).map { _ in UInt8.random(in: 0...255, using: &generator) }
            _ = limiter.admit(
                mac: MACAddress(octets: octets), path: relay, isKnownMachine: false,
                limits: perMACOnly, at: .microseconds(Int64(index)))
            largest = max(largest, limiter.trackedClientCount)
        }
        #expect(largest == 1000)
        #expect(limiter.evictedClients > 90_000)
        // A MAC that keeps sending stays tracked and stays limited through the flood.
        var flooded = DHCPRateLimiter(trackedClients: 100)
        var admittedRepeats = 0
        for index in 0..<10_000 {
            let time = Duration.milliseconds(Int64(index))
            let octets = (0..<6).map { _ in UInt8.random(in: 0...255, using: &generator) }
            _ = flooded.admit(
                mac: MACAddress(octets: octets), path: relay, isKnownMachine: false, limits: perMAC,
                at: time)
            if flooded.admit(mac: mac, path: relay, isKnownMachine: false, limits: perMAC, at: time) == .admitted {
                admittedRepeats += 1
            }
        }
        // 10 s at one request per ms: the burst of 5, then a token every 500 ms from 0.5 s to 9.5 s.
        #expect(admittedRepeats == 24)
        #expect(flooded.trackedClientCount <= 100)
    }

    @Test func refilledBucketsAreForgottenFirst() {
        var table = TokenBucketTable<Int>(capacity: 8)
        let limit = DHCPRateLimit(rate: 1, burst: 2)
        for key in 0..<8 { table.take(key, limit, at: .zero) }
        // Key 7 is used again just before the table overflows; the rest have refilled by then.
        table.take(7, limit, at: .seconds(1))
        table.take(7, limit, at: .seconds(1))
        table.take(100, limit, at: .seconds(1))
        #expect(table.count == 2 && table.evictedBeforeRefill == 0)
        #expect(!table.allows(7, limit, at: .seconds(1)))
    }

    @Test func parsesDurationsAsSeconds() {
        #expect(Duration.milliseconds(1500).seconds == 1.5)
        #expect(DHCPRateLimit(rate: 0.5, burst: 3).description == "0.5/s, burst 3")
        #expect(DHCPRateLimits.defaultPerMAC.description == "2/s, burst 10")
    }
}
