import Testing

@testable import DHCPCore
@testable import DHCPService

/// One warning per source per interval, with the count of what was quiet in between.
@Suite struct LogThrottleTests {
    @Test func warnsOncePerSourcePerIntervalWithTheCount() {
        var throttle = LogThrottle<String>(interval: .seconds(60), overflow: "other")
        #expect(throttle.record("a", at: .zero).verdict == .warn(count: 1))
        for second in 1...59 { #expect(throttle.record("a", at: .seconds(second)).verdict == .quiet) }
        #expect(throttle.record("b", at: .seconds(30)).verdict == .warn(count: 1))
        #expect(throttle.record("a", at: .seconds(60)).verdict == .warn(count: 60))
        #expect(throttle.record("a", at: .seconds(61)).verdict == .quiet)
        #expect(throttle.record("a", at: .seconds(500)).verdict == .warn(count: 2))
    }

    @Test func manySourcesShareOneOverflowKeyAndTheTableStaysBounded() {
        var throttle = LogThrottle<String>(interval: .seconds(60), capacity: 16, overflow: "other")
        var warnings = 0
        for index in 0..<10_000 {
            if case .warn = throttle.record("ip \(index)", at: .milliseconds(Int64(index))).verdict { warnings += 1 }
            #expect(throttle.trackedSources <= 17)
        }
        // 16 sources, then the overflow key once.
        #expect(warnings == 17)
        #expect(throttle.record("ip 99999", at: .seconds(5)).countedAs == "other")
        // Once the interval has passed, old sources make room again.
        #expect(throttle.record("ip new", at: .seconds(200)) == (.warn(count: 1), "ip new"))
    }
}
