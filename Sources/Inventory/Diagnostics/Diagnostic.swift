/// One problem found while loading the configuration or the profiles.
///
/// Loading never stops at the first problem: every file is read and every check runs, so an admin fixes a broken
/// set in one pass. Errors make the set unusable (nothing of it is served); warnings are printed and logged but the
/// set still loads.
public struct Diagnostic: Hashable, Sendable, CustomStringConvertible {
    public enum Severity: String, Hashable, Sendable, Comparable {
        case error
        case warning

        public static func < (lhs: Severity, rhs: Severity) -> Bool {
            lhs == .error && rhs == .warning
        }
    }

    /// A second place that explains the first, such as the other file that claims the same MAC.
    public struct Note: Hashable, Sendable, CustomStringConvertible {
        public var location: SourceLocation
        public var message: String

        public init(_ message: String, at location: SourceLocation) {
            self.location = location
            self.message = message
        }

        public var description: String { "\(location): note: \(message)" }
    }

    public var severity: Severity
    public var location: SourceLocation
    public var message: String
    public var notes: [Note]

    /// Control characters in `message` (values quoted from a hostile file) are escaped, so printing a diagnostic
    /// can never send escape sequences to the admin's terminal or split a journal line.
    public init(_ severity: Severity, _ message: String, at location: SourceLocation, notes: [Note] = []) {
        self.severity = severity
        self.location = location
        self.message = Self.escapingControlCharacters(message)
        self.notes = notes
    }

    static func escapingControlCharacters(_ text: String) -> String {
        guard TextRules.firstControlCharacter(in: text) != nil else { return text }
        return String(
            text.unicodeScalars.map { scalar -> String in
                guard scalar.value < 0x20 || (0x7f...0x9f).contains(scalar.value) else { return String(scalar) }
                return "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            }.joined())
    }

    public static func error(_ message: String, at location: SourceLocation, notes: [Note] = []) -> Diagnostic {
        Diagnostic(.error, message, at: location, notes: notes)
    }

    public static func warning(_ message: String, at location: SourceLocation, notes: [Note] = []) -> Diagnostic {
        Diagnostic(.warning, message, at: location, notes: notes)
    }

    /// `file:line:column: error: message`, then one indented line per note.
    public var description: String {
        ([
            "\(location): \(severity.rawValue): \(message)"
        ] + notes.map { "    \($0)" }).joined(separator: "\n")
    }
}

extension Array where Element == Diagnostic {
    /// Whether any diagnostic makes the set unusable.
    public var containsErrors: Bool { contains { $0.severity == .error } }

    /// Sorted by file, line and column, so output is stable and follows the files top to bottom.
    public func sortedByLocation() -> [Diagnostic] {
        sorted { ($0.location, $0.message) < ($1.location, $1.message) }
    }
}
