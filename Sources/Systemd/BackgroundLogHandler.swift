import Logging

/// Wraps a `LogHandler` so that its `log` runs on a `BackgroundLogWriter`'s thread: the caller only captures the
/// event (and the wrapped handler with its metadata, a value) and goes on.
public struct BackgroundLogHandler: LogHandler {
    private var wrapped: any LogHandler
    private let writer: BackgroundLogWriter

    public init(_ wrapped: any LogHandler, writer: BackgroundLogWriter) {
        self.wrapped = wrapped
        self.writer = writer
    }

    public var logLevel: Logger.Level {
        get { wrapped.logLevel }
        set { wrapped.logLevel = newValue }
    }

    public var metadata: Logger.Metadata {
        get { wrapped.metadata }
        set { wrapped.metadata = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { wrapped[metadataKey: key] }
        set { wrapped[metadataKey: key] = newValue }
    }

    public func log(event: LogEvent) {
        let wrapped = wrapped
        writer.enqueue(
            { wrapped.log(event: event) },
            reportDrops: { count in
                wrapped.log(
                    event: LogEvent(
                        level: .warning,
                        message: "\(count) log entries dropped: the log output could not keep up",
                        metadata: ["dropped_entries": "\(count)"], source: "Systemd", file: #fileID,
                        function: #function,
                        line: #line))
            })
    }
}
