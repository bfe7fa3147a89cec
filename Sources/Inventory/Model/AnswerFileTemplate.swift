/// One answer file a template names (`files:`): a preseed, kickstart, autoinstall `user-data`, a script. Its text has
/// the same `{{name}}` placeholders as the command line, plus the answer-file-only ones
/// (`AnswerFileValues.answerFileOnlyVariables`), and is rendered per machine when the machine asks for it.
public struct AnswerFileTemplate: Sendable {
    /// The name it is served under: `{{files_url}}/<name>`.
    public var name: Located<String>
    /// Where the template names its source (the `files:` entry's value).
    public var reference: Located<String>
    /// The source file as shown in messages.
    public var sourcePath: String
    public var text: TemplateText
    /// The line of the source file where each variable is first used, for diagnostics.
    public var firstUse: [String: Int]
}

/// What reading an answer file's source gave.
public struct TemplateFileText: Sendable {
    /// The path to show in messages.
    public var displayPath: String
    public var text: String

    public init(displayPath: String, text: String) {
        self.displayPath = displayPath
        self.text = text
    }
}

/// Why an answer file's source could not be read.
public struct TemplateFileReadError: Error, Sendable {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }
}
