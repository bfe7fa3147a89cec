import Yams

/// Reads one YAML mapping with a fixed set of keys, reporting into a `DiagnosticCollector`.
///
/// Unknown keys are errors (with a suggestion), because a misspelt key that is silently ignored is the classic way
/// to misconfigure a boot server. Every string it hands out has been checked for control characters, so no value
/// can smuggle a new line into a rendered boot config.
public struct MappingReader {
    public let file: String
    public let location: SourceLocation
    private let entries: [String: (key: Node, value: Node)]
    private let collector: DiagnosticCollector

    /// Fails (after reporting) when `node` is not a mapping. Reports unknown keys but still reads the known ones.
    init?(
        _ node: Node, file: String, describing what: String, allowedKeys: [String],
        collector: DiagnosticCollector
    ) {
        self.file = file
        self.collector = collector
        location = YAMLDocument.location(of: node, in: file)
        guard case .mapping(let mapping) = node else {
            collector.error(
                "expected \(what) as a mapping of keys to values, found \(node.kindDescription)",
                at: location)
            return nil
        }
        var entries: [String: (key: Node, value: Node)] = [:]
        for (key, value) in mapping {
            let keyLocation = YAMLDocument.location(of: key, in: file)
            guard case .scalar(let scalar) = key else {
                collector.error("a key in \(what) must be a plain word, found \(key.kindDescription)", at: keyLocation)
                continue
            }
            let name = scalar.string
            if let first = entries[name] {
                collector.error(
                    "key '\(name)' appears twice in \(what)", at: keyLocation,
                    notes: [.init("first written here", at: YAMLDocument.location(of: first.key, in: file))])
                continue
            }
            guard allowedKeys.contains(name) else {
                var message = "unknown key '\(name)' in \(what)"
                if let suggestion = Self.closest(to: name, among: allowedKeys) {
                    message += "; did you mean '\(suggestion)'?"
                } else {
                    message += "; expected one of: " + allowedKeys.joined(separator: ", ")
                }
                collector.error(message, at: keyLocation)
                continue
            }
            entries[name] = (key, value)
        }
        self.entries = entries
    }

    /// Parses `source` and reads its root mapping; `nil` (after reporting) when it is not YAML or not a mapping.
    public static func document(
        _ source: YAMLSource, describing what: String, allowedKeys: [String],
        collector: DiagnosticCollector
    ) -> MappingReader? {
        guard let root = YAMLDocument.parse(source, into: collector) else { return nil }
        return MappingReader(root, file: source.path, describing: what, allowedKeys: allowedKeys, collector: collector)
    }

    /// A list of mappings, each read with `allowedKeys`; items that are not mappings are reported and skipped.
    public func mappings(_ key: String, describing what: String, allowedKeys: [String]) -> [MappingReader] {
        (sequence(key) ?? []).compactMap {
            MappingReader($0, file: file, describing: what, allowedKeys: allowedKeys, collector: collector)
        }
    }

    public func contains(_ key: String) -> Bool { entries[key] != nil && !isNull(entries[key]!.value) }

    /// Whether `key` is written with no value (`http:` alone), which a section key reads as "on, with defaults".
    public func isPresentWithoutValue(_ key: String) -> Bool { entries[key].map { isNull($0.value) } ?? false }

    /// Where `key` is written, for diagnostics about its value as a whole.
    public func locationOfKey(_ key: String) -> SourceLocation? {
        entries[key].map { YAMLDocument.location(of: $0.key, in: file) }
    }

    /// The value node of `key`, or `nil` (reporting when `required`) when it is absent or null.
    public func node(_ key: String, required: Bool = false) -> Node? {
        guard let entry = entries[key], !isNull(entry.value) else {
            if required {
                let at = entries[key].map { YAMLDocument.location(of: $0.key, in: file) } ?? location
                collector.error("missing required key '\(key)'", at: at)
            }
            return nil
        }
        return entry.value
    }

    /// A scalar value as written. `trimmed` drops surrounding white space and line breaks (folded YAML blocks end
    /// in a newline); any control character that remains is an error.
    public func string(_ key: String, required: Bool = false, trimmed: Bool = false) -> Located<String>? {
        guard let value = node(key, required: required) else { return nil }
        return scalarString(value, what: "'\(key)'", trimmed: trimmed)
    }

    /// A scalar node's text, checked for control characters (reported as errors).
    public func scalarString(_ node: Node, what: String, trimmed: Bool = false) -> Located<String>? {
        let at = YAMLDocument.location(of: node, in: file)
        guard case .scalar(let scalar) = node else {
            collector.error("expected \(what) to be a single value, found \(node.kindDescription)", at: at)
            return nil
        }
        var text = scalar.string
        if trimmed {
            text = String(text.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
        }
        if let control = TextRules.firstControlCharacter(in: text) {
            // Reported, but still returned so later checks do not add a false "not defined": a set with an error
            // is never rendered, so the value cannot reach a boot file.
            collector.error("\(what) contains \(control), which would break the generated boot files", at: at)
        }
        return Located(text, at: at)
    }

    /// A list of scalars. A single scalar is refused, so `macs: 52:54:…` and `macs: [52:54:…]` cannot differ silently.
    public func stringList(_ key: String, required: Bool = false) -> [Located<String>]? {
        guard let items = sequence(key, required: required) else { return nil }
        return items.compactMap { scalarString($0, what: "an item of '\(key)'") }
    }

    /// A list of nodes.
    public func sequence(_ key: String, required: Bool = false) -> [Node]? {
        guard let value = node(key, required: required) else { return nil }
        guard case .sequence(let sequence) = value else {
            collector.error(
                "expected '\(key)' to be a list, found \(value.kindDescription)",
                at: YAMLDocument.location(of: value, in: file))
            return nil
        }
        return Array(sequence)
    }

    /// A mapping of names to scalar values, in file order; names are checked by `nameProblem` (identifiers unless
    /// told otherwise).
    public func stringMap(
        _ key: String, what: String,
        nameProblem: ((String) -> String?)? = nil
    ) -> [(name: Located<String>, value: Located<String>)]? {
        guard let value = node(key) else { return nil }
        guard case .mapping(let mapping) = value else {
            collector.error(
                "expected '\(key)' to be a mapping of names to values, found \(value.kindDescription)",
                at: YAMLDocument.location(of: value, in: file))
            return nil
        }
        var result: [(name: Located<String>, value: Located<String>)] = []
        var seen: [String: SourceLocation] = [:]
        for (nameNode, valueNode) in mapping {
            guard let name = scalarString(nameNode, what: "a \(what) name") else { continue }
            let problem =
                nameProblem.map { $0(name.value) } ?? TextRules.identifierProblem(name.value, what: "\(what) name")
            if let problem {
                collector.error(problem, at: name.location)
                continue
            }
            if let first = seen[name.value] {
                collector.error(
                    "\(what) '\(name.value)' is defined twice", at: name.location,
                    notes: [.init("first defined here", at: first)])
                continue
            }
            seen[name.value] = name.location
            guard let text = scalarString(valueNode, what: "\(what) '\(name.value)'") else { continue }
            result.append((name, text))
        }
        return result
    }

    /// A nested mapping read with its own key set.
    public func mapping(
        _ key: String, describing what: String, allowedKeys: [String],
        required: Bool = false
    ) -> MappingReader? {
        guard let value = node(key, required: required) else { return nil }
        return MappingReader(value, file: file, describing: what, allowedKeys: allowedKeys, collector: collector)
    }

    /// An integer within `range`.
    public func integer(_ key: String, in range: ClosedRange<Int>) -> Located<Int>? {
        guard let text = string(key) else { return nil }
        guard let value = Int(text.value), range.contains(value) else {
            collector.error(
                "'\(key)' must be a whole number from \(range.lowerBound) to \(range.upperBound), "
                    + "not '\(text.value)'", at: text.location)
            return nil
        }
        return Located(value, at: text.location)
    }

    /// `true`/`false` (also `yes`/`no`, `on`/`off`, as YAML 1.1 readers accept).
    public func boolean(_ key: String) -> Located<Bool>? {
        guard let text = string(key) else { return nil }
        switch text.value.lowercased() {
        case "true", "yes", "on": return Located(true, at: text.location)
        case "false", "no", "off": return Located(false, at: text.location)
        default:
            collector.error("'\(key)' must be true or false, not '\(text.value)'", at: text.location)
            return nil
        }
    }

    /// One of a fixed set of words.
    public func choice(_ key: String, among choices: [String], required: Bool = false) -> Located<String>? {
        guard let text = string(key, required: required) else { return nil }
        guard choices.contains(text.value) else {
            collector.error(
                "'\(key)' must be one of \(choices.joined(separator: ", ")), not '\(text.value)'",
                at: text.location)
            return nil
        }
        return text
    }

    /// A duration in seconds, written as a number of seconds or with a unit: `90s`, `30m`, `12h`, `7d`.
    public func duration(_ key: String, in range: ClosedRange<Int>) -> Located<Int>? {
        guard let text = string(key) else { return nil }
        let units: [Character: Int] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
        var digits = Substring(text.value)
        var factor = 1
        if let last = digits.last, let unit = units[last] {
            factor = unit
            digits = digits.dropLast()
        }
        guard !digits.isEmpty, digits.allSatisfy(\.isASCIIDigit), let number = Int(digits),
            number <= range.upperBound / factor, range.contains(number * factor)
        else {
            collector.error(
                "'\(key)' must be a duration from \(Self.durationText(range.lowerBound)) to "
                    + "\(Self.durationText(range.upperBound)), written as seconds or with a unit "
                    + "(90s, 30m, 12h, 7d); not '\(text.value)'", at: text.location)
            return nil
        }
        return Located(number * factor, at: text.location)
    }

    /// `90s`, `30m`, `12h`, `365d`: the largest unit that divides the seconds exactly.
    static func durationText(_ seconds: Int) -> String {
        for (unit, size) in [("d", 86400), ("h", 3600), ("m", 60)] where seconds >= size && seconds % size == 0 {
            return "\(seconds / size)\(unit)"
        }
        return "\(seconds)s"
    }

    private func isNull(_ node: Node) -> Bool {
        guard case .scalar(let scalar) = node, scalar.style == .plain else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    /// The allowed key within edit distance 2 of `key`, if exactly one is closest.
    static func closest(to key: String, among candidates: [String]) -> String? {
        let scored = candidates.map { ($0, editDistance(key.lowercased(), $0)) }.filter { $0.1 <= 2 }
        guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
        return scored.filter({ $0.1 == best.1 }).count == 1 ? best.0 : nil
    }

    private static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        var previous = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...max(b.count, 1) where !b.isEmpty {
                current[j] = min(
                    previous[j] + 1, current[j - 1] + 1,
                    previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return a.isEmpty ? b.count : previous[b.count]
    }
}

extension Node {
    /// `a list`, `a mapping`, `the value '…'`: for "expected …, found …" messages.
    var kindDescription: String {
        switch self {
        case .scalar(let scalar): return "the value '\(scalar.string)'"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }
}
