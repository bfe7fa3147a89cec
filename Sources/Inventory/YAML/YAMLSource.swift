/// The text of one YAML file and the name to report it under. Files are read by the caller (the Appliance), so
/// this module stays free of I/O and can be tested on strings.
public struct YAMLSource: Sendable, Hashable {
    /// The path shown in diagnostics.
    public var path: String
    public var text: String

    public init(path: String, text: String) {
        self.path = path
        self.text = text
    }

    /// The file's base name without `.yaml`/`.yml`: a template's name.
    public var stem: String {
        let base = path.split(separator: "/").last.map(String.init) ?? path
        for suffix in [".yaml", ".yml"] where base.hasSuffix(suffix) {
            return String(base.dropLast(suffix.count))
        }
        return base
    }

    /// The file's base name: what rendered files mention as their source.
    public var fileName: String { path.split(separator: "/").last.map(String.init) ?? path }
}
