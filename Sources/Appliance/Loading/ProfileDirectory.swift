import Foundation
import Inventory

/// Reads the profile folder: one `*.yaml` file per machine, and boot templates in `templates/*.yaml`.
///
/// Hidden files and editor leftovers (`.web-01.yaml.swp`, `web-01.yaml~`) do not end in `.yaml`, so a
/// half-saved edit is never loaded.
public struct ProfileDirectory: Sendable {
    public static let templateSubdirectory = "templates"

    public var path: String

    public init(path: String) {
        self.path = path
    }

    public struct Contents: Sendable {
        public var profiles: [YAMLSource]
        public var templates: [YAMLSource]
    }

    /// Reads every profile and template; a file that cannot be read is reported, and the others are still read.
    public func read(displayPath: DisplayPath, collector: DiagnosticCollector) -> Contents? {
        guard TextFiles.isDirectory(path) else {
            collector.error(
                "the profile folder \(displayPath.display(path)) does not exist",
                at: .startOf(displayPath.display(path)))
            return nil
        }
        let templatesPath = path + "/" + Self.templateSubdirectory
        return Contents(
            profiles: readYAMLFiles(in: path, displayPath: displayPath, collector: collector),
            templates: TextFiles.isDirectory(templatesPath)
                ? readYAMLFiles(in: templatesPath, displayPath: displayPath, collector: collector) : [])
    }

    private func readYAMLFiles(
        in directory: String, displayPath: DisplayPath,
        collector: DiagnosticCollector
    ) -> [YAMLSource] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            collector.error(
                "cannot list \(displayPath.display(directory)): \(error.localizedDescription)",
                at: .startOf(displayPath.display(directory)))
            return []
        }
        return names.filter { !$0.hasPrefix(".") && ($0.hasSuffix(".yaml") || $0.hasSuffix(".yml")) }
            .sorted()
            .compactMap { name in
                let filePath = directory + "/" + name
                let shown = displayPath.display(filePath)
                guard TextFiles.isRegularFile(filePath),
                    let text = TextFiles.read(filePath, shownAs: shown, what: "the file", collector: collector)
                else { return nil }
                return YAMLSource(path: shown, text: text)
            }
    }
}
