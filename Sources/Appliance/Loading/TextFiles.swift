import Foundation
import Inventory

/// The few file-system questions the loader asks, answered the same way everywhere.
enum TextFiles {
    /// The file's UTF-8 text; `nil` after reporting (at `shown`, the path as the admin sees it) why not.
    static func read(_ path: String, shownAs shown: String, what: String, collector: DiagnosticCollector) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else {
            collector.error("cannot read \(what)", at: .startOf(shown))
            return nil
        }
        guard let text = String(data: data, encoding: .utf8) else {
            collector.error("\(what) is not UTF-8 text", at: .startOf(shown))
            return nil
        }
        return text
    }

    /// Answer files are rendered per request from memory, so their size is capped.
    static let maximumAnswerFileBytes = 1 << 20

    /// An answer file's source text, or why it cannot be one.
    static func readAnswerFileSource(_ path: String, shownAs shown: String) -> Result<
        TemplateFileText, TemplateFileReadError
    > {
        guard isRegularFile(path) else { return .failure(TemplateFileReadError("\(shown) is not a file")) }
        guard let data = FileManager.default.contents(atPath: path) else {
            return .failure(TemplateFileReadError("cannot read \(shown)"))
        }
        guard data.count <= maximumAnswerFileBytes else {
            return .failure(TemplateFileReadError("\(shown) is over \(maximumAnswerFileBytes >> 20) MiB"))
        }
        guard let text = String(data: data, encoding: .utf8) else {
            return .failure(TemplateFileReadError("\(shown) is not UTF-8 text"))
        }
        return .success(TemplateFileText(displayPath: shown, text: text))
    }

    static func isRegularFile(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
    }

    static func isDirectory(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }
}
