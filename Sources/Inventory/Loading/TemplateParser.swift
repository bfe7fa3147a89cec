/// Reads one boot template file (`templates/<name>.yaml`).
enum TemplateParser {
    static func parse(_ source: YAMLSource, into collector: DiagnosticCollector) -> BootTemplate? {
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

        guard !collector.diagnostics[before...].containsErrors, let kernel else { return nil }
        return BootTemplate(
            name: name, source: source, description: description, kernel: kernel,
            initrds: initrds, commandLine: commandLine, defaults: defaults)
    }
}
