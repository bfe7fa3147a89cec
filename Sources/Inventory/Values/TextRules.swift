/// The character rules that keep admin-written values from breaking the files Rackboot generates.
///
/// Every rendered format is line-oriented (pxelinux, GRUB, iPXE): one newline or control character inside a value
/// would start a new directive in the machine's boot config. So every value is checked here before it is used,
/// and the reason is worded for the admin.
public enum TextRules {
    /// Describes the first control character in `text` (`newline`, `tab`, `U+001B`), or `nil` when there is none.
    public static func firstControlCharacter(in text: String) -> String? {
        for scalar in text.unicodeScalars where scalar.value < 0x20 || (0x7f...0x9f).contains(scalar.value) {
            switch scalar {
            case "\n": return "a newline"
            case "\r": return "a carriage return"
            case "\t": return "a tab"
            default:
                let hex = String(scalar.value, radix: 16, uppercase: true)
                return "the control character U+" + String(repeating: "0", count: 4 - hex.count) + hex
            }
        }
        return nil
    }

    /// Checks a host name against RFC 1123: dot-separated labels of letters, digits and inner hyphens, each at
    /// most 63 characters, 253 in all. Returns the reason it is not one, or `nil`.
    public static func hostnameProblem(_ name: String) -> String? {
        guard !name.isEmpty else { return "the host name is empty" }
        guard name.count <= 253 else { return "'\(name)' is longer than 253 characters" }
        for label in name.split(separator: ".", omittingEmptySubsequences: false) {
            guard !label.isEmpty else { return "'\(name)' has an empty label (two dots, or a dot at an end)" }
            guard label.count <= 63 else { return "'\(name)' has a label longer than 63 characters" }
            guard label.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else {
                return "'\(name)' may hold only letters, digits, hyphens and dots"
            }
            guard label.first != "-", label.last != "-" else {
                return "'\(name)' has a label that starts or ends with a hyphen"
            }
        }
        return nil
    }

    /// Checks a path under the TFTP root as boot loaders will request it: relative, `/`-separated, no `.` or `..`
    /// parts, and only characters that every config format and TFTP client passes through unquoted.
    public static func bootPathProblem(_ path: String) -> String? {
        guard !path.isEmpty else { return "the path is empty" }
        if let control = firstControlCharacter(in: path) { return "'\(path)' contains \(control)" }
        guard !path.hasPrefix("/") else {
            return "'\(path)' starts with '/'; write it relative to the TFTP root"
        }
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-+/")
        if let bad = path.first(where: { !allowed.contains($0) }) {
            return "'\(path)' contains '\(bad)'; paths may hold letters, digits and . _ - + /"
        }
        for part in path.split(separator: "/", omittingEmptySubsequences: false) {
            guard !part.isEmpty else { return "'\(path)' has an empty part ('//' or a trailing '/')" }
            guard part != ".", part != ".." else { return "'\(path)' has a '\(part)' part" }
        }
        return nil
    }

    /// Checks text that reaches a kernel command line (or a menu title) in every rendered format. pxelinux copies it
    /// raw; GRUB words are single-quoted, but GRUB hands quotes and backslashes to the kernel with backslashes added;
    /// iPXE has no quoting at all, expands every `${…}`, splits commands at `||`, `&&`, `;` and drops words from `#`.
    /// So those are refused rather than rendered differently per boot loader.
    public static func commandLineProblem(_ text: String) -> String? {
        if text.contains("${") {
            return "contains '${', which iPXE would expand as one of its settings"
        }
        if let quote = text.first(where: { $0 == "'" || $0 == "\"" || $0 == "\\" }) {
            return "contains \(quote), which GRUB would pass to the kernel with a backslash added"
        }
        for word in text.split(separator: " ") {
            if ["||", "&&", ";"].contains(word) {
                return "has the word '\(word)', which iPXE reads as a command separator"
            }
            if word.hasPrefix("#") {
                return "has the word '\(word)', which iPXE and GRUB read as the start of a comment"
            }
        }
        return nil
    }

    /// Checks a variable or template name: a letter or `_`, then letters, digits, `_` or `-`.
    public static func identifierProblem(_ name: String, what: String) -> String? {
        guard let first = name.first, first.isASCII, first.isLetter || first == "_",
            name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") })
        else {
            return "'\(name)' is not a valid \(what): use letters, digits, '_' and '-', starting with a letter"
        }
        return nil
    }

    /// Longest client-chosen text a log line carries.
    public static let maximumLoggedCharacters = 200

    /// Client-chosen text (file names, paths, error messages) as it may be logged: control characters escaped as
    /// `\u{a}` and at most `maximumLoggedCharacters`, so a hostile client can neither forge a log line with a newline
    /// nor flood the journal with a huge name.
    public static func printableForLog(_ text: String) -> String {
        var result = ""
        for (index, scalar) in text.unicodeScalars.enumerated() {
            guard index < maximumLoggedCharacters else {
                result += "…"
                break
            }
            if scalar.value < 0x20 || (0x7f...0x9f).contains(scalar.value) {
                result += "\\u{" + String(scalar.value, radix: 16) + "}"
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
