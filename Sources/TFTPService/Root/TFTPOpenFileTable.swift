import Synchronization
import TFTPCore

/// Shares one descriptor per file among concurrent transfers: during a boot storm fifty machines fetching the same
/// initrd hold one `TFTPOpenedFile` instead of fifty descriptors (docs/protocol.md, "Boot storms").
///
/// Entries are weak: a file closes when its last transfer ends. A file modified in place (different size) gets a
/// fresh entry so new transfers see a consistent size; running transfers keep the one they started with.
final class TFTPOpenFileTable: Sendable {
    private struct WeakEntry: Sendable {
        weak var file: TFTPOpenedFile?
    }

    private let entries = Mutex<[TFTPOpenedFile.Identity: WeakEntry]>([:])

    /// Returns the shared file for `candidate`'s identity if one is open with the same size (and lets `candidate`
    /// close), otherwise records and returns `candidate`.
    func share(_ candidate: TFTPOpenedFile) -> TFTPOpenedFile {
        entries.withLock { entries in
            if let existing = entries[candidate.identity]?.file, existing.byteCount == candidate.byteCount {
                return existing
            }
            entries = entries.filter { $0.value.file != nil }
            entries[candidate.identity] = WeakEntry(file: candidate)
            return candidate
        }
    }

    /// Files currently shared (for tests and status).
    var openFileCount: Int {
        entries.withLock { $0.values.count { $0.file != nil } }
    }
}
