import Testing

@testable import Appliance

@Suite struct ProcessStatisticsTests {
    @Test func readsCPUMemoryAndStartFromProcStat() throws {
        // A command name with a space and a parenthesis: fields are counted after its last ')'.
        let stat =
            "4242 (rack boot)) S 1 4242 4242 0 -1 4194560 900 0 0 0 250 50 0 0 20 0 9 0 12345 734003200 11000 "
            + "18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0"
        let process = try #require(
            ProcessStatistics.parse(stat: stat, bootTime: 1_700_000_000, ticksPerSecond: 100, pageSize: 4096))
        #expect(process.cpuSeconds == 3.0)
        #expect(process.residentBytes == 11000 * 4096)
        #expect(process.virtualBytes == 734_003_200)
        #expect(process.startTime == 1_700_000_123.45)
        #expect(ProcessStatistics.parse(stat: "garbage", bootTime: 0, ticksPerSecond: 100, pageSize: 4096) == nil)
    }

    @Test func readsThisProcess() throws {
        let process = try #require(ProcessStatistics.read())
        #expect(process.residentBytes > 0)
    }
}
