import Foundation

/// The committed fuzz inputs of one target, `Tests/Fixtures/fuzz-regressions/<target>/`, each with the outcome
/// recorded for it in that folder's `outcomes.txt` (`NAME<TAB>OUTCOME` per line). Every crasher a fuzzer found is
/// kept there after its fix, so its replay proves the fix holds; the outcome says what it must now give instead.
/// This file is shared by DHCPCoreTests, TFTPCoreTests and InventoryTests (symbolic links to this one).
struct FuzzRegressionInputs {
    struct Input: CustomStringConvertible {
        var name: String
        var bytes: [UInt8]
        var expectedOutcome: String?
        var description: String { name }
    }

    let inputs: [Input]
    /// Names in `outcomes.txt` that have no file.
    let orphanedOutcomes: [String]

    /// `filePath` is the calling test file's, directly in `Tests/<target>/`, which locates the repository.
    init(target: String, filePath: String = #filePath) throws {
        let root = URL(fileURLWithPath: filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let folder = root.appendingPathComponent("Tests/Fixtures/fuzz-regressions/\(target)")
        let manifest = try String(contentsOf: folder.appendingPathComponent("outcomes.txt"), encoding: .utf8)
        var outcomes: [String: String] = [:]
        for line in manifest.split(separator: "\n") where !line.hasPrefix("#") {
            let fields = line.split(separator: "\t", maxSplits: 1)
            if fields.count == 2 { outcomes[String(fields[0])] = String(fields[1]) }
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { $0 != "outcomes.txt" && $0 != "README.md" }.sorted()
        inputs = try names.map { name in
            Input(
                name: name, bytes: Array(try Data(contentsOf: folder.appendingPathComponent(name))),
                expectedOutcome: outcomes[name])
        }
        orphanedOutcomes = outcomes.keys.filter { !names.contains($0) }.sorted()
    }
}
