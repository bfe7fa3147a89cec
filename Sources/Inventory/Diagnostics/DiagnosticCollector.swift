/// Gathers diagnostics while a set of files is parsed and cross-checked.
///
/// A reference type so that the small readers that walk YAML nodes can all report into one list without threading
/// `inout` parameters through every call. It lives only for one load on one thread.
public final class DiagnosticCollector {
    public private(set) var diagnostics: [Diagnostic] = []

    public init() {}

    public func report(_ diagnostic: Diagnostic) {
        diagnostics.append(diagnostic)
    }

    public func error(_ message: String, at location: SourceLocation, notes: [Diagnostic.Note] = []) {
        report(.error(message, at: location, notes: notes))
    }

    public func warning(_ message: String, at location: SourceLocation, notes: [Diagnostic.Note] = []) {
        report(.warning(message, at: location, notes: notes))
    }

    public var hasErrors: Bool { diagnostics.containsErrors }
}
