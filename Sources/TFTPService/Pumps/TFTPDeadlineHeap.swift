import NIOCore
import TFTPCore

/// The retransmission deadlines of one pump's transfers, earliest first: the pump sleeps in `epoll_wait` until the
/// top one. Entries are never removed early; a transfer that moved or dropped its deadline leaves a stale entry
/// that the pump recognises (serial or deadline no longer match) and skips when it comes up.
struct TFTPDeadlineHeap {
    struct Entry {
        var deadline: NIODeadline
        /// The transfer's socket, which indexes the pump's transfer table.
        var descriptor: CInt
        /// Tells a transfer apart from a later one that got the same descriptor number.
        var serial: UInt64
    }

    private var entries: [Entry] = []

    var isEmpty: Bool { entries.isEmpty }
    var count: Int { entries.count }
    var earliest: Entry? { entries.first }

    mutating func insert(_ entry: Entry) {
        entries.append(entry)
        var child = entries.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard entries[child].deadline < entries[parent].deadline else { break }
            entries.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes and returns the earliest entry if it is due at `now`.
    mutating func popDue(now: NIODeadline) -> Entry? {
        guard let first = entries.first, first.deadline <= now else { return nil }
        let last = entries.removeLast()
        guard !entries.isEmpty else { return first }
        entries[0] = last
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < entries.count && entries[left].deadline < entries[smallest].deadline { smallest = left }
            if right < entries.count && entries[right].deadline < entries[smallest].deadline { smallest = right }
            guard smallest != parent else { break }
            entries.swapAt(parent, smallest)
            parent = smallest
        }
        return first
    }
}
