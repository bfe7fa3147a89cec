import Logging
import Synchronization

/// A `LogHandler` that keeps every entry, for tests that count warnings.
struct RecordingLogHandler: LogHandler {
    final class Entries: Sendable {
        private let entries = Mutex<[(level: Logger.Level, message: String, metadata: Logger.Metadata)]>([])

        func append(_ level: Logger.Level, _ message: String, _ metadata: Logger.Metadata) {
            entries.withLock { $0.append((level, message, metadata)) }
        }

        /// Every entry so far, in order.
        var all: [(level: Logger.Level, message: String, metadata: Logger.Metadata)] { entries.withLock { $0 } }

        func matching(_ level: Logger.Level, _ message: String) -> [Logger.Metadata] {
            entries.withLock { $0.filter { $0.level == level && $0.message == message }.map(\.metadata) }
        }
    }

    let entries: Entries
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        entries.append(event.level, event.message.description, metadata.merging(event.metadata ?? [:]) { $1 })
    }
}
