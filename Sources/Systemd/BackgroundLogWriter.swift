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
public final class BackgroundLogWriter: Sendable {
    private let queue = DispatchQueue(label: "rackboot.log-writer")
    private let capacity: Int
    private let waiting = Atomic<Int>(0)
    private let dropped = Atomic<Int>(0)
    /// Drops not yet reported in the log.
    private let unreported = Atomic<Int>(0)

    public init(capacity: Int = 10_000) {
        self.capacity = capacity
    }

    /// Entries dropped since the start because the queue was full.
    public var droppedEntries: Int { dropped.load(ordering: .relaxed) }

    /// Runs `write` on the writer thread after every entry enqueued before it, unless `capacity` entries already
    /// wait (then it is dropped); after a write, `reportDrops` gets the number of entries dropped since the last
    /// report, if any.
    func enqueue(_ write: @escaping @Sendable () -> Void, reportDrops: @escaping @Sendable (Int) -> Void) {
        guard waiting.add(1, ordering: .relaxed).newValue <= capacity else {
            waiting.subtract(1, ordering: .relaxed)
            dropped.add(1, ordering: .relaxed)
            unreported.add(1, ordering: .relaxed)
            return
        }
        queue.async { [self] in
            write()
            waiting.subtract(1, ordering: .relaxed)
            let missed = unreported.exchange(0, ordering: .relaxed)
            if missed > 0 { reportDrops(missed) }
        }
    }

    /// Returns once every entry enqueued so far is written: before the process exits.
    public func flush() {
        queue.sync {}
    }
}
