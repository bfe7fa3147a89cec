import Foundation

/// The process's own CPU time, memory and start time, from `/proc/self/stat` (proc(5)), for the `process_*`
/// metrics Prometheus' own clients export.
struct ProcessStatistics {
    var cpuSeconds: Double
    var residentBytes: Int
    var virtualBytes: Int
    /// Seconds since the epoch.
    var startTime: Double

    static func read() -> ProcessStatistics? {
        guard let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
            let bootTime = Self.bootTime()
        else { return nil }
        return parse(
            stat: stat, bootTime: bootTime, ticksPerSecond: Double(sysconf(Int32(_SC_CLK_TCK))),
            pageSize: Int(sysconf(Int32(_SC_PAGESIZE))))
    }

    /// The fields after the command name (which may hold spaces and parentheses, so it ends at the last `)`):
    /// utime and stime are fields 14 and 15, starttime 22, vsize 23, rss 24 (in pages).
    static func parse(stat: String, bootTime: Double, ticksPerSecond: Double, pageSize: Int) -> ProcessStatistics? {
        guard let end = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: end)...].split(separator: " ")
        // fields[0] is field 3 (state).
        func field(_ number: Int) -> Double? { fields.count > number - 3 ? Double(fields[number - 3]) : nil }
        guard let user = field(14), let system = field(15), let start = field(22), let virtual = field(23),
            let resident = field(24), ticksPerSecond > 0
        else { return nil }
        return ProcessStatistics(
            cpuSeconds: (user + system) / ticksPerSecond, residentBytes: Int(resident) * pageSize,
            virtualBytes: Int(virtual), startTime: bootTime + start / ticksPerSecond)
    }

    /// `btime` of /proc/stat: when the system booted, in seconds since the epoch.
    private static func bootTime() -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8) else { return nil }
        for line in stat.split(separator: "\n") where line.hasPrefix("btime ") {
            return Double(line.dropFirst(6).trimmingCharacters(in: .whitespaces))
        }
        return nil
    }
}
