/// Text with `{{name}}` placeholders, parsed once so that every machine using it can be checked for undefined
/// variables before anything is rendered.
public struct TemplateText: Sendable, Hashable {
    public enum Segment: Sendable, Hashable {
        case literal(String)
        case variable(String)
    }

    public let segments: [Segment]

    /// Parses `text`; placeholders are `{{name}}` with optional spaces inside the braces. Returns the reason when
    /// a placeholder is unterminated or its name is not an identifier.
    public static func parse(_ text: String) -> Result<TemplateText, TemplateSyntaxError> {
        var segments: [Segment] = []
        var rest = Substring(text)
        while let open = rest.range(of: "{{") {
            if open.lowerBound > rest.startIndex {
                segments.append(.literal(String(rest[..<open.lowerBound])))
            }
            let afterOpen = rest[open.upperBound...]
            guard let close = afterOpen.range(of: "}}") else {
                return .failure(.unterminated(offset: text.distance(from: text.startIndex, to: open.lowerBound)))
            }
            let name = afterOpen[..<close.lowerBound].trimmingSpaces()
            if TextRules.identifierProblem(name, what: "variable name") != nil {
                return .failure(.badName(name))
            }
            segments.append(.variable(name))
            rest = afterOpen[close.upperBound...]
        }
        if !rest.isEmpty { segments.append(.literal(String(rest))) }
        return .success(TemplateText(segments: segments))
    }

    /// Every variable the text uses, in order of first use.
    public var variableNames: [String] {
        var seen: Set<String> = []
        return segments.compactMap { segment in
            guard case .variable(let name) = segment, seen.insert(name).inserted else { return nil }
            return name
        }
    }

    /// The 1-based line of each placeholder name's first use in `text` (which parsed), for diagnostics.
    public static func placeholderLines(in text: String) -> [String: Int] {
        var lines: [String: Int] = [:]
        var line = 1
        var rest = Substring(text)
        while let open = rest.range(of: "{{") {
            line += rest[..<open.lowerBound].count { $0 == "\n" }
            let afterOpen = rest[open.upperBound...]
            guard let close = afterOpen.range(of: "}}") else { break }
            let name = afterOpen[..<close.lowerBound].trimmingSpaces()
            if lines[name] == nil { lines[name] = line }
            line += afterOpen[..<close.lowerBound].count { $0 == "\n" }
            rest = afterOpen[close.upperBound...]
        }
        return lines
    }

    /// The 1-based line where `opening` is first followed by `name` (spaces between allowed); 1 if nowhere.
    static func lineOfText(_ opening: String, followedBy name: String, in text: String) -> Int {
        var line = 1
        var rest = Substring(text)
        while let open = rest.range(of: opening) {
            line += rest[..<open.lowerBound].count { $0 == "\n" }
            if rest[open.upperBound...].drop(while: { $0 == " " }).hasPrefix(name) { return line }
            rest = rest[open.upperBound...]
        }
        return 1
    }

    /// Substitutes every placeholder; the caller has checked that `values` defines each one.
    public func expand(_ values: [String: String]) -> String {
        segments.map { segment in
            switch segment {
            case .literal(let text): return text
            case .variable(let name): return values[name] ?? ""
            }
        }.joined()
    }
}

/// Why a template text does not parse.
public enum TemplateSyntaxError: Error, Hashable, CustomStringConvertible {
    /// `{{` without `}}`; the offset is in characters from the start of the text.
    case unterminated(offset: Int)
    case badName(String)

    public var description: String {
        switch self {
        case .unterminated(let offset):
            return "'{{' at character \(offset + 1) has no closing '}}'"
        case .badName(let name):
            return "'{{\(name)}}' is not a valid placeholder: names use letters, digits, '_' and '-'"
        }
    }
}
