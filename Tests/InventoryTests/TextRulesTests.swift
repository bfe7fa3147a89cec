import Testing

@testable import Inventory

@Suite struct TextRulesTests {
    @Test func namesTheControlCharacterFound() {
        #expect(TextRules.firstControlCharacter(in: "plain text") == nil)
        #expect(TextRules.firstControlCharacter(in: "a\nAPPEND x") == "a newline")
        #expect(TextRules.firstControlCharacter(in: "a\rb") == "a carriage return")
        #expect(TextRules.firstControlCharacter(in: "a\u{1b}[2J") == "the control character U+001B")
        #expect(TextRules.firstControlCharacter(in: "a\u{85}b") == "the control character U+0085")
    }

    @Test func diagnosticsNeverCarryControlCharacters() {
        let diagnostic = Diagnostic.error("'\u{1b}[2Jx\ny' is bad", at: .startOf("f"))
        #expect(diagnostic.message == "'\\u{1B}[2Jx\\u{A}y' is bad")
    }

    @Test func acceptsOnlyRFC1123HostNames() {
        #expect(TextRules.hostnameProblem("web-01") == nil)
        #expect(TextRules.hostnameProblem("web-01.rack1.example.net") == nil)
        #expect(TextRules.hostnameProblem("web_01") != nil)
        #expect(TextRules.hostnameProblem("-web") != nil)
        #expect(TextRules.hostnameProblem("web..01") != nil)
        #expect(TextRules.hostnameProblem(String(repeating: "a", count: 64)) != nil)
        #expect(TextRules.hostnameProblem("") != nil)
    }

    @Test func keepsBootPathsRelativeAndPlain() {
        #expect(TextRules.bootPathProblem("debian12/linux") == nil)
        #expect(TextRules.bootPathProblem("images/vmlinuz-6.1.0+1") == nil)
        #expect(TextRules.bootPathProblem("/debian12/linux") != nil)
        #expect(TextRules.bootPathProblem("../etc/shadow") != nil)
        #expect(TextRules.bootPathProblem("a/./b") != nil)
        #expect(TextRules.bootPathProblem("a//b") != nil)
        #expect(TextRules.bootPathProblem("my kernel") != nil)
        #expect(TextRules.bootPathProblem("a\\b") != nil)
    }

    @Test func refusesWhatABootLoaderWouldReinterpret() {
        #expect(TextRules.commandLineProblem("console=ttyS0,115200n8 ip=dhcp rd.break=pre-mount") == nil)
        #expect(TextRules.commandLineProblem("x=${net0/ip}")?.contains("iPXE") == true)
        #expect(TextRules.commandLineProblem("a='b c'")?.contains("GRUB") == true)
        #expect(TextRules.commandLineProblem("a=\"b\"")?.contains("GRUB") == true)
        #expect(TextRules.commandLineProblem("a\\b")?.contains("GRUB") == true)
        #expect(TextRules.commandLineProblem("quiet ; reboot")?.contains("separator") == true)
        #expect(TextRules.commandLineProblem("quiet || reboot")?.contains("separator") == true)
        #expect(TextRules.commandLineProblem("quiet #comment")?.contains("comment") == true)
        #expect(TextRules.commandLineProblem("a=#b") == nil)
        #expect(TextRules.commandLineProblem("cost=$5") == nil)
    }
}
