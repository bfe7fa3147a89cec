import Appliance
import Foundation

/// Paths inside this repository, found from this file's location so tests run from any working directory.
enum RepositoryPaths {
    static let root: String = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    static func path(_ relative: String) -> String { root + "/" + relative }

    /// Loads a configuration with messages relative to the repository root, as `rackboot check` run there prints.
    static func load(config: String, profiles: String? = nil) -> ApplianceLoader.Outcome {
        ApplianceLoader(
            configPath: path(config), profileDirectoryOverride: profiles.map(path),
            displayPath: DisplayPath(workingDirectory: root)
        ).load()
    }

    /// The report `rackboot check` prints, without its closing summary line.
    static func expectedDiagnostics(_ relative: String) throws -> [String] {
        let text = try String(contentsOfFile: path(relative), encoding: .utf8)
        return Array(text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).dropLast(2))
    }
}
