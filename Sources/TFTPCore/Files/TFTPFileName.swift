/// A requested file name made safe to look up: relative, `/`-separated, without empty, `.` or `..` components.
///
/// Normalisation (docs/protocol.md, "File names and the jail"):
/// - `\` becomes `/` (Windows clients, as dnsmasq does) and leading `/` are dropped, so `/pxelinux.0` and
///   `\boot\x` are relative to the root.
/// - Empty and `.` components disappear; any `..` component refuses the whole name rather than being resolved,
///   so no spelling can climb out.
/// - Nothing is decoded: `%2e%2e` is a literal file name, never `..`.
/// - Letter case is kept (a case-insensitive lookup would be a separate, explicit option like dnsmasq's).
public struct TFTPFileName: Hashable, Sendable, CustomStringConvertible {
    /// Longest accepted request, in UTF-8 bytes; RFC 2347 §2 caps a whole request at 512 bytes anyway.
    public static let maximumLength = 255

    /// The normalised relative path, e.g. `pxelinux.cfg/01-52-54-00-12-34-56`.
    public let path: String

    /// Normalises `requested` as described above, or says why it is refused.
    public init(normalizing requested: String) throws(TFTPFileNameError) {
        let length = requested.utf8.count
        guard length <= Self.maximumLength else { throw .tooLong(length: length) }
        guard !requested.utf8.contains(0) else { throw .containsNUL }
        let slashed = requested.replacingOccurrences(of: "\\" as Character, with: "/" as Character)
        var components: [Substring] = []
        for component in slashed.split(separator: "/", omittingEmptySubsequences: true) {
            if component == "." { continue }
            if component == ".." { throw .parentDirectoryComponent(requested) }
            components.append(component)
        }
        guard !components.isEmpty else { throw .empty }
        path = components.joined(separator: "/")
    }

    public var description: String { path }

    /// The path's components.
    public var components: [Substring] { path.split(separator: "/") }
}

extension String {
    fileprivate func replacingOccurrences(of target: Character, with replacement: Character) -> String {
        String(map { $0 == target ? replacement : $0 })
    }
}
