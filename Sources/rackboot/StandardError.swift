import Foundation

/// Messages for the admin go to standard error, so standard output carries only the requested data.
enum StandardError {
    static func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
