import DHCPCore

/// Decides which of many similar events deserve a warning: the first per source, then one per `interval` per
/// source carrying how many happened since; the rest go to debug. A flood of malformed or rate-limited packets
/// then costs the journal one line per source per interval.
///
/// Pure: time is a parameter. At most `capacity` sources are tracked; when a new source finds the table full of
/// sources warned about within the interval, it is counted under the shared `overflow` key instead, so spoofed
/// source addresses cannot grow the table or the journal.
struct LogThrottle<Source: Hashable & Sendable>: Sendable {
    enum Verdict: Hashable, Sendable {
        /// Warn; `count` events from this source since the previous warning, this one included.
        case warn(count: Int)
        /// Log at debug only.
        case quiet
    }

    private struct Window: Sendable {
        var started: Duration
        var count: Int
    }

    let interval: Duration
    let capacity: Int
    private let overflow: Source
    private var windows: [Source: Window] = [:]

    init(interval: Duration, capacity: Int = 256, overflow: Source) {
        self.interval = interval
        self.capacity = capacity
        self.overflow = overflow
    }

    var trackedSources: Int { windows.count }

    /// Records one event from `source` at `now`; returns the verdict and the key it was counted under.
    mutating func record(_ source: Source, at now: Duration) -> (verdict: Verdict, countedAs: Source) {
        var key = source
        if windows[key] == nil, windows.count >= capacity {
            windows = windows.filter { now - $0.value.started < interval }
            if windows.count >= capacity { key = overflow }
        }
        guard var window = windows[key], now - window.started < interval else {
            let pending = windows[key]?.count ?? 0
            windows[key] = Window(started: now, count: 0)
            return (.warn(count: pending + 1), key)
        }
        window.count += 1
        windows[key] = window
        return (.quiet, key)
    }
}
