import Yams

/// Parses a YAML file into a node tree that remembers positions, turning libyaml's errors into diagnostics.
///
/// Rackboot reads YAML as nodes rather than through `Decodable` because every problem must name its line and
/// column, and because YAML 1.1 would silently turn some values into numbers (`52:54:00:12:34:01` is a base-60
/// integer to a 1.1 resolver): reading the scalar text keeps what the admin wrote.
enum YAMLDocument {
    /// The root node, or `nil` after reporting why the file is not usable YAML.
    static func parse(_ source: YAMLSource, into collector: DiagnosticCollector) -> Node? {
        do {
            guard let root = try Yams.compose(yaml: source.text) else {
                collector.error("the file is empty", at: .startOf(source.path))
                return nil
            }
            return root
        } catch let error as YamlError {
            collector.report(diagnostic(for: error, in: source))
            return nil
        } catch {
            collector.error("cannot read YAML: \(error)", at: .startOf(source.path))
            return nil
        }
    }

    static func location(of node: Node, in file: String) -> SourceLocation {
        guard let mark = node.mark else { return .startOf(file) }
        return SourceLocation(file: file, line: mark.line, column: mark.column)
    }

    private static func diagnostic(for error: YamlError, in source: YAMLSource) -> Diagnostic {
        func at(_ mark: Mark) -> SourceLocation {
            SourceLocation(file: source.path, line: mark.line, column: mark.column)
        }
        switch error {
        case .scanner(let context, let problem, let mark, _),
            .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let notes = context.map { [Diagnostic.Note($0.text, at: at($0.mark))] } ?? []
            return .error("YAML syntax: \(problem)", at: at(mark), notes: notes)
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            return .error("key \(keys) appears more than once in this mapping", at: at(context.mark))
        case .reader(let problem, _, _, _):
            return .error("cannot read the file as UTF-8 text: \(problem)", at: .startOf(source.path))
        default:
            return .error("cannot read YAML: \(error)", at: .startOf(source.path))
        }
    }
}
