import Inventory
import TFTPCore

/// Client-chosen text (file names, error messages) as it may be logged: control characters escaped and at most
/// 200 characters, so a hostile or broken client can neither forge a log line with a newline nor flood the journal
/// with a 10,000-byte name.
enum TFTPLogText {
    static let maximumCharacters = TextRules.maximumLoggedCharacters

    static func printable(_ text: String) -> String {
        TextRules.printableForLog(text)
    }

    /// An ERROR the server sends, as the log's `reply` field: `ERROR 4 "Malformed request"`.
    static func reply(_ code: TFTPErrorCode, _ message: String) -> String {
        "ERROR \(code.rawValue) \"\(message)\""
    }
}
