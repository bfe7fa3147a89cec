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
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            collector.error("the profile folder \(displayPath.display(path)) does not exist",
                            at: .startOf(displayPath.display(path)))
            return nil
        }
        let templatesPath = path + "/" + Self.templateSubdirectory
        return Contents(
            profiles: readYAMLFiles(in: path, displayPath: displayPath, collector: collector),
            templates: FileManager.default.fileExists(atPath: templatesPath)
                ? readYAMLFiles(in: templatesPath, displayPath: displayPath, collector: collector) : [])
    }

    private func readYAMLFiles(in directory: String, displayPath: DisplayPath,
                               collector: DiagnosticCollector) -> [YAMLSource] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            collector.error("cannot list \(displayPath.display(directory)): \(error.localizedDescription)",
                            at: .startOf(displayPath.display(directory)))
            return []
        }
        return names.filter { !$0.hasPrefix(".") && ($0.hasSuffix(".yaml") || $0.hasSuffix(".yml")) }
            .sorted()
            .compactMap { name in
                let filePath = directory + "/" + name
                let shown = displayPath.display(filePath)
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: filePath, isDirectory: &isDirectory),
                    !isDirectory.boolValue
                else { return nil }
                guard let data = FileManager.default.contents(atPath: filePath) else {
                    collector.error("cannot read the file", at: .startOf(shown))
                    return nil
                }
                guard let text = String(data: data, encoding: .utf8) else {
                    collector.error("the file is not UTF-8 text", at: .startOf(shown))
                    return nil
                }
                return YAMLSource(path: shown, text: text)
            }
    }
}
