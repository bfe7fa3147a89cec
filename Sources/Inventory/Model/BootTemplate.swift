/// A shared boot recipe: which kernel and initrds to load and the kernel command line, with `{{variables}}`.
public struct BootTemplate: Sendable {
    /// The file's base name; profiles refer to the template by it.
    public var name: String
    public var source: YAMLSource
    /// A human title, used as the boot menu label.
    public var description: Located<String>?
    /// Paths under the TFTP root.
    public var kernel: Located<String>
    public var initrds: [Located<String>]
    public var commandLine: Located<TemplateText>?
    /// Default values for per-machine variables.
    public var defaults: [(name: Located<String>, value: Located<String>)]
    /// Answer files, by served name, in file order.
    public var files: [AnswerFileTemplate] = []
    /// The boot loader family the template's machines use (a profile can override it).
    public var loader: Located<LoaderSpec>?

    /// The keys a template file may hold.
    public static let keys = ["description", "kernel", "initrds", "cmdline", "variables", "files", "loader"]
}
