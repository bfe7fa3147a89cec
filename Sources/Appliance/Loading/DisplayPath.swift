import Foundation

/// Paths as an admin reads them in messages: relative to the working directory when below it, else absolute.
public struct DisplayPath: Sendable {
    private let workingDirectory: String

    public init(workingDirectory: String = FileManager.default.currentDirectoryPath) {
        self.workingDirectory = URL(fileURLWithPath: workingDirectory).standardizedFileURL.path
    }

    /// `path` made absolute (against the working directory) and free of `.` and `..` parts.
    public func absolute(_ path: String, relativeTo base: String? = nil) -> String {
        let baseDirectory = base ?? workingDirectory
        let url =
            path.hasPrefix("/")
            ? URL(fileURLWithPath: path)
            : URL(fileURLWithPath: baseDirectory, isDirectory: true).appendingPathComponent(path)
        return url.standardizedFileURL.path
    }

    /// `path` shortened for display.
    public func display(_ path: String) -> String {
        let absolutePath = absolute(path)
        let prefix = workingDirectory.hasSuffix("/") ? workingDirectory : workingDirectory + "/"
        return absolutePath.hasPrefix(prefix) ? String(absolutePath.dropFirst(prefix.count)) : absolutePath
    }
}
