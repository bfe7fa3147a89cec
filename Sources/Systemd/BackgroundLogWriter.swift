import Dispatch
import Synchronization

/// Writes log entries on a thread of its own, in order, so that an event loop never waits for its log output.
///
/// A console line is one `write(2)` to stderr, which blocks while a terminal or pipe reader is slow, and appending
/// to a file on a journaling file system can wait for a journal commit that another writer's fsync started (the
/// lease store's, on the same disk); `sd_journal_sendv` blocks when journald drains its socket slowly. None of that
/// should hold up a DHCP reply or a TFTP block. The queue is bounded: past `capacity` waiting entries new ones are
/// dropped and counted, and the writer says how many once it has room, rather than the server stalling, or growing
/// without bound, behind a stuck log reader.
///
/// Entries are gathered for `gatherDelay` and written as one batch: waking the writer thread once per entry (a
/// line per DHCP exchange) put a thread wake-up, and on a VM often an inter-processor interrupt, between every two
/// replies, and those wake-ups competed with the event loop for the same cores. A line thus reaches its output at
/// most `gatherDelay` late; `flush` writes everything at once.
public final class BackgroundLogWriter: Sendable {
    private struct Entry {
        let write: @Sendable () -> Void
        let reportDrops: @Sendable (Int) -> Void
    }

    private struct Gathered: ~Copyable {
        var entries: [Entry] = []
        /// A drain is scheduled and has not taken the entries yet.
        var drainScheduled = false
    }

    private let queue = DispatchQueue(label: "rackboot.log-writer")
    private let gathered = Mutex(Gathered())
    private let capacity: Int
    private let gatherDelay: DispatchTimeInterval
    /// Entries accepted and not yet written (gathered or being written).
    private let waiting = Atomic<Int>(0)
    private let dropped = Atomic<Int>(0)
    /// Drops not yet reported in the log.
    private let unreported = Atomic<Int>(0)

    public init(capacity: Int = 10_000, gatherDelay: DispatchTimeInterval = .milliseconds(10)) {
        self.capacity = capacity
        self.gatherDelay = gatherDelay
    }

    /// Entries dropped since the start because the queue was full.
    public var droppedEntries: Int { dropped.load(ordering: .relaxed) }

    /// Runs `write` on the writer thread after every entry enqueued before it, unless `capacity` entries already
    /// wait (then it is dropped); after a batch, `reportDrops` gets the number of entries dropped since the last
    /// report, if any.
    func enqueue(_ write: @escaping @Sendable () -> Void, reportDrops: @escaping @Sendable (Int) -> Void) {
        guard waiting.add(1, ordering: .relaxed).newValue <= capacity else {
            waiting.subtract(1, ordering: .relaxed)
            dropped.add(1, ordering: .relaxed)
            unreported.add(1, ordering: .relaxed)
            return
        }
        let startsBatch = gathered.withLock { gathered in
            gathered.entries.append(Entry(write: write, reportDrops: reportDrops))
            defer { gathered.drainScheduled = true }
            return !gathered.drainScheduled
        }
        if startsBatch {
            queue.asyncAfter(deadline: .now() + gatherDelay) { [self] in drain() }
        }
    }

    /// Returns once every entry enqueued so far is written: before the process exits.
    public func flush() {
        queue.sync { drain() }
    }

    /// Writes the gathered entries in order; runs on `queue`.
    private func drain() {
        let entries = gathered.withLock { gathered in
            defer {
                gathered.entries.removeAll(keepingCapacity: true)
                gathered.drainScheduled = false
            }
            return gathered.entries
        }
        for entry in entries {
            entry.write()
            waiting.subtract(1, ordering: .relaxed)
        }
        let missed = unreported.exchange(0, ordering: .relaxed)
        if missed > 0, let last = entries.last { last.reportDrops(missed) }
    }
}
