import Testing

@testable import Inventory

@Suite struct TemplateTextTests {
    @Test func expandsPlaceholdersWithOrWithoutSpaces() throws {
        let text = try TemplateText.parse("a={{hostname}} b={{ role }} c={{hostname}}").get()
        #expect(text.variableNames == ["hostname", "role"])
        #expect(text.expand(["hostname": "web-01", "role": "web"]) == "a=web-01 b=web c=web-01")
    }

    @Test func keepsSingleBracesLiteral() throws {
        let text = try TemplateText.parse("x={a} y=}}").get()
        #expect(text.variableNames.isEmpty)
        #expect(text.expand([:]) == "x={a} y=}}")
    }

    @Test func reportsUnterminatedAndInvalidPlaceholders() {
        #expect(TemplateText.parse("console=tty0 {{role") == .failure(.unterminated(offset: 13)))
        #expect(TemplateText.parse("{{ two words }}") == .failure(.badName("two words")))
        #expect(TemplateText.parse("{{}}") == .failure(.badName("")))
    }
}
