/// Reads one boot template file (`templates/<name>.yaml`).
enum TemplateParser {
    /// `readFile` reads an answer file's source, given its path relative to the templates folder.
    static func parse(
        _ source: YAMLSource,
        readFile: (String) -> Result<TemplateFileText, TemplateFileReadError> = { _ in
            .failure(TemplateFileReadError("answer files cannot be read here"))
        },
        into collector: DiagnosticCollector
    ) -> BootTemplate? {
        let name = source.stem
        if let problem = TextRules.identifierProblem(name, what: "template name") {
            collector.error("the file name gives the template its name: \(problem)", at: .startOf(source.path))
            return nil
        }
        guard
            let reader = MappingReader.document(
                source, describing: "a boot template", allowedKeys: BootTemplate.keys,
                collector: collector)
        else { return nil }
        let before = collector.diagnostics.count

        let description = reader.string("description")
        if let description, let problem = TextRules.commandLineProblem(description.value) {
            collector.error("description \(problem)", at: description.location)
        }
        let kernel = reader.string("kernel", required: true)
        let initrds = reader.stringList("initrds") ?? []
        for path in [kernel].compactMap({ $0 }) + initrds {
            if let problem = TextRules.bootPathProblem(path.value) {
                collector.error(problem, at: path.location)
            }
        }

        var commandLine: Located<TemplateText>?
        if let text = reader.string("cmdline", trimmed: true) {
            switch TemplateText.parse(text.value) {
            case .success(let parsed): commandLine = Located(parsed, at: text.location)
            case .failure(let problem): collector.error("cmdline: \(problem)", at: text.location)
            }
            if let problem = TextRules.commandLineProblem(text.value) {
                collector.error("cmdline \(problem)", at: text.location)
            }
            // syslinux uses only the first `initrd=` it finds, so one written here would hide the `initrds` list.
            if text.value.contains("initrd=") {
                collector.error(
                    "cmdline names 'initrd='; list initrds under 'initrds' instead, which every boot "
                        + "loader then passes its own way", at: text.location)
            }
        }

        let defaults = reader.stringMap("variables", what: "variable") ?? []
        for variable in defaults {
            if let problem = TextRules.commandLineProblem(variable.value.value) {
                collector.error("variable '\(variable.name.value)' \(problem)", at: variable.value.location)
            }
        }

        let files = parseFiles(reader, readFile: readFile, collector: collector)
        let loader = LoaderSpecParser.parse(reader, collector: collector)

        guard !collector.diagnostics[before...].containsErrors, let kernel else { return nil }
        var template = BootTemplate(
            name: name, source: source, description: description, kernel: kernel,
            initrds: initrds, commandLine: commandLine, defaults: defaults)
        template.files = files
        template.loader = loader
        return template
    }

    /// `files:`: served name → source path relative to the templates folder. Each source is read and its
    /// placeholders parsed here, so a syntax error is reported at its own file and line.
    private static func parseFiles(
        _ reader: MappingReader, readFile: (String) -> Result<TemplateFileText, TemplateFileReadError>,
        collector: DiagnosticCollector
    ) -> [AnswerFileTemplate] {
        var files: [AnswerFileTemplate] = []
        for entry in reader.stringMap("files", what: "answer file", nameProblem: answerFileNameProblem) ?? [] {
            if let problem = TextRules.bootPathProblem(entry.value.value) {
                collector.error("answer file '\(entry.name.value)': \(problem)", at: entry.value.location)
                continue
            }
            let source: TemplateFileText
            switch readFile(entry.value.value) {
            case .success(let read): source = read
            case .failure(let failure):
                collector.error("answer file '\(entry.name.value)': \(failure.message)", at: entry.value.location)
                continue
            }
            switch TemplateText.parse(source.text) {
            case .success(let text):
                files.append(
                    AnswerFileTemplate(
                        name: entry.name, reference: entry.value, sourcePath: source.displayPath, text: text,
                        firstUse: TemplateText.placeholderLines(in: source.text)))
            case .failure(let problem):
                var line = 1
                if case .unterminated(let offset) = problem {
                    line = 1 + source.text.prefix(offset).filter { $0 == "\n" }.count
                } else if case .badName(let name) = problem {
                    line = TemplateText.lineOfText("{{", followedBy: name, in: source.text)
                }
                collector.error(
                    "\(problem)", at: SourceLocation(file: source.displayPath, line: line, column: 1),
                    notes: [.init("named as answer file '\(entry.name.value)' here", at: entry.value.location)])
            }
        }
        return files
    }

    /// A served name is one path segment: letters, digits, `.`, `_` and `-`, not starting with `.`.
    static func answerFileNameProblem(_ name: String) -> String? {
        let allowed = name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || ".-_".contains($0)) }
        guard !name.isEmpty, allowed, !name.hasPrefix(".") else {
            return
                "answer file name '\(name)' must be one file name of letters, digits, '.', '_' and '-' (not starting with '.')"
        }
        return nil
    }
}
