/// The path of a request target, percent-decoded exactly once and split into segments, or the reason it is refused.
///
/// Rules (docs/protocol.md, "HTTP request targets"):
/// - Origin-form targets (`/a/b?q`) and absolute-form ones (`http://host/a/b?q`) are served; the query is kept apart,
///   undecoded.
/// - `%XX` is decoded once: `%252e%252e` becomes the literal name `%2e%2e`, never `..`.
/// - A decoded NUL, `/` or `\` inside a segment refuses the target: they would let one segment name another path.
/// - Empty and `.` segments disappear; a `..` segment (written or decoded) refuses the whole target rather than being
///   resolved, as TFTP does, so no spelling can climb out of the root.
public struct HTTPRequestPath: Hashable, Sendable, CustomStringConvertible {
    /// Longest accepted target, in bytes (the decoder's header limits bound it too).
    public static let maximumLength = 4096

    /// The decoded segments, none empty, `.` or `..`.
    public let segments: [String]
    /// The raw query after `?`, if any.
    public let query: Substring?

    public init(target: String) throws(HTTPRequestPathError) {
        guard target.utf8.count <= Self.maximumLength else { throw .tooLong }
        let target = try Self.originForm(of: target)
        let pathPart: Substring
        if let mark = target.firstIndex(of: "?") {
            pathPart = target[..<mark]
            query = target[target.index(after: mark)...]
        } else {
            pathPart = target[...]
            query = nil
        }
        var segments: [String] = []
        for raw in pathPart.split(separator: "/", omittingEmptySubsequences: true) {
            let decoded = try Self.percentDecoded(raw)
            if decoded == "." { continue }
            if decoded == ".." { throw .parentDirectorySegment }
            segments.append(decoded)
        }
        self.segments = segments
    }

    /// The origin-form part of `target`: itself, or the path and query of an absolute-form target, which a server
    /// must accept (RFC 9112 §3.2.2); the authority in it is ignored, as `Host` is.
    private static func originForm(of target: String) throws(HTTPRequestPathError) -> Substring {
        if target.hasPrefix("/") { return target[...] }
        let lowered = target.prefix(8).lowercased()
        guard let scheme = ["http://", "https://"].first(where: { lowered.hasPrefix($0) }) else {
            throw .notOriginForm
        }
        let afterScheme = target.dropFirst(scheme.count)
        guard let slash = afterScheme.firstIndex(where: { $0 == "/" || $0 == "?" }) else { return "/" }
        return afterScheme[slash] == "?" ? "/" + afterScheme[slash...] : afterScheme[slash...]
    }

    /// The segments joined with `/`: the relative path a file lookup takes.
    public var path: String { segments.joined(separator: "/") }

    public var description: String { "/" + path }

    /// The value of `name=` in the query, percent-decoded, if present.
    public func queryValue(_ name: String) -> String? {
        guard let query else { return nil }
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            if parts.count == 2, parts[0] == name { return try? Self.percentDecoded(parts[1]) }
        }
        return nil
    }

    private static func percentDecoded(_ raw: Substring) throws(HTTPRequestPathError) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(raw.utf8.count)
        var iterator = raw.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                guard byte != 0, byte != UInt8(ascii: "\\") else { throw .forbiddenCharacter }
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                throw .badPercentEncoding
            }
            let decoded = high << 4 | low
            guard decoded != 0, decoded != UInt8(ascii: "/"), decoded != UInt8(ascii: "\\") else {
                throw .forbiddenCharacter
            }
            bytes.append(decoded)
        }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw .notUTF8 }
        return text
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

/// Why a request target is refused (each answers 400 Bad Request).
public enum HTTPRequestPathError: Error, Hashable, Sendable, CustomStringConvertible {
    case tooLong
    /// Authority-form (`host:port`), `*`, or another scheme's absolute form.
    case notOriginForm
    case badPercentEncoding
    /// NUL, `\`, or an encoded `/`.
    case forbiddenCharacter
    case notUTF8
    /// A `..` segment, written or percent-encoded.
    case parentDirectorySegment

    public var description: String {
        switch self {
        case .tooLong: return "request target too long"
        case .notOriginForm: return "request target is not a path"
        case .badPercentEncoding: return "bad percent-encoding"
        case .forbiddenCharacter: return "NUL, backslash or encoded slash in the path"
        case .notUTF8: return "path is not UTF-8"
        case .parentDirectorySegment: return "'..' in the path"
        }
    }
}
