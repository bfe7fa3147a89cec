import Logging
import Synchronization
import Systemd
import Testing

/// The log handler the server runs with: entries reach the wrapped handler in order with their metadata, on
/// another thread, complete after `flush`; a writer that cannot keep up drops entries and says how many.
@Suite struct BackgroundLogHandlerTests {
    /// Keeps entries; `gate` holds every write until it is opened, like a log file stuck behind a disk journal.
    struct Recorder: LogHandler {
        final class Entries: Sendable {
            let lines = Mutex<[String]>([])
            let gate = Mutex(false)
        }

        let entries: Entries
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .info

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            while !entries.gate.withLock({ $0 }) {}
            let merged = metadata.merging(event.metadata ?? [:]) { $1 }
            let fields = merged.keys.sorted().map { "\($0)=\(merged[$0]!)" }.joined(separator: " ")
            entries.lines.withLock { $0.append("\(event.level) \(event.message) \(fields)") }
        }
    }

    @Test func entriesArriveInOrderWithTheirMetadataOnceFlushed() {
        let entries = Recorder.Entries()
        entries.gate.withLock { $0 = true }
        let writer = BackgroundLogWriter()
        var logger = Logger(label: "test") { _ in BackgroundLogHandler(Recorder(entries: entries), writer: writer) }
        logger[metadataKey: "service"] = "dhcp"
        for index in 0..<500 { logger.info("entry \(index)", metadata: ["n": "\(index)"]) }
        logger.debug("below the level")
        writer.flush()
        let lines = entries.lines.withLock { $0 }
        #expect(lines.count == 500)
        #expect(lines.first == "info entry 0 n=0 service=dhcp")
        #expect(lines.last == "info entry 499 n=499 service=dhcp")
        #expect(writer.droppedEntries == 0)
    }

    @Test func aStuckOutputDropsPastCapacityAndReportsHowMany() {
        let entries = Recorder.Entries()
        let writer = BackgroundLogWriter(capacity: 10)
        let logger = Logger(label: "test") { _ in BackgroundLogHandler(Recorder(entries: entries), writer: writer) }
        for index in 0..<25 { logger.info("entry \(index)") }  // returns at once although nothing is written
        #expect(entries.lines.withLock { $0.isEmpty })
        entries.gate.withLock { $0 = true }
        writer.flush()
        logger.info("after")
        writer.flush()
        let lines = entries.lines.withLock { $0 }
        #expect(writer.droppedEntries == 15)
        #expect(lines.filter { $0.hasPrefix("info entry") } == (0..<10).map { "info entry \($0) " })
        #expect(lines.contains("warning 15 log entries dropped: the log output could not keep up dropped_entries=15"))
        #expect(lines.last == "info after ")
    }
}
