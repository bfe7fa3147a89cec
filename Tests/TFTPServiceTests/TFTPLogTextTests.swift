import Testing

@testable import TFTPCore
@testable import TFTPService

/// Client-chosen names and messages reach the log escaped and bounded.
struct TFTPLogTextTests {
    @Test func controlCharactersAreEscaped() {
        #expect(TFTPLogText.printable("evil\nFORGED\r\u{1b}[2J") == "evil\\u{a}FORGED\\u{d}\\u{1b}[2J")
    }

    @Test func c1ControlsAndDeleteAreEscaped() {
        #expect(TFTPLogText.printable("a\u{7f}b\u{85}c") == "a\\u{7f}b\\u{85}c")
    }

    @Test func ordinaryNamesAreUnchanged() {
        #expect(TFTPLogText.printable("pxelinux.cfg/01-52-54-00-12-34-56") == "pxelinux.cfg/01-52-54-00-12-34-56")
        #expect(TFTPLogText.printable("\\..\\été") == "\\..\\été")
    }

    @Test func longTextIsCutWithAnEllipsis() {
        let printable = TFTPLogText.printable(String(repeating: "x", count: 10_000))
        #expect(printable == String(repeating: "x", count: TFTPLogText.maximumCharacters) + "…")
    }
}
