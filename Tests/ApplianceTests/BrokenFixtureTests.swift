import Appliance
import Inventory
import Testing

/// The committed broken sets hold every kind of error; each is reported with its file, line and column, and the
/// set never loads.
@Suite struct BrokenFixtureTests {
    @Test(arguments: ["broken-profiles", "broken-config"])
    func reportsEveryProblemAtItsPlace(fixture: String) throws {
        let outcome = RepositoryPaths.load(config: "Tests/Fixtures/\(fixture)/rackboot.yaml")
        #expect(outcome.inventory == nil)
        #expect(!outcome.succeeded)
        let expected = try RepositoryPaths.expectedDiagnostics("Tests/Fixtures/\(fixture)/expected-check.txt")
        let actual = outcome.diagnostics.flatMap { $0.description.split(separator: "\n").map(String.init) }
        #expect(actual == expected)
    }
}
