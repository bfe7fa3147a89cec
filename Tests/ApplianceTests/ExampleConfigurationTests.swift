import Appliance
import Foundation
import Inventory
import Testing

/// The shipped example (docs/examples/rackboot.yaml with profiles/) loads, and what it renders is pinned.
@Suite struct ExampleConfigurationTests {
    let outcome = RepositoryPaths.load(config: "docs/examples/rackboot.yaml")

    @Test func loadsWithoutErrors() throws {
        #expect(!outcome.diagnostics.containsErrors, "\(outcome.diagnostics.map(\.description))")
        let inventory = try #require(outcome.inventory)
        #expect(inventory.machines.count >= 8)
        #expect(Set(inventory.machines.compactMap(\.templateName)).count >= 2)
        #expect(inventory.machines.contains { $0.state == .local })
        let config = try #require(outcome.config)
        #expect(config.dhcp.subnets.map(\.network.description) == ["10.20.0.0/24", "10.30.0.0/24"])
        #expect(config.dhcp.subnets[1].leaseTime == 86400)
        #expect(config.dhcp.leaseTime == 43200)
        #expect(config.profileDirectory == RepositoryPaths.path("profiles"))
        #expect(config.tftp.root == RepositoryPaths.path("tftproot"))
    }

    /// Compares every rendered file with `Tests/Golden/examples/`; `RACKBOOT_UPDATE_GOLDEN=1` rewrites them
    /// (then review the diff before committing).
    @Test func renderedFilesMatchTheGoldenFiles() throws {
        let inventory = try #require(outcome.inventory)
        let goldenRoot = RepositoryPaths.path("Tests/Golden/examples")
        if ProcessInfo.processInfo.environment["RACKBOOT_UPDATE_GOLDEN"] == "1" {
            try? FileManager.default.removeItem(atPath: goldenRoot)
            for (path, contents) in inventory.renderedFiles {
                let url = URL(fileURLWithPath: goldenRoot + "/" + path)
                try FileManager.default.createDirectory(
                    at: url.deletingLastPathComponent(),
                    withIntermediateDirectories: true)
                try Data(contents).write(to: url)
            }
        }
        let enumerator = try #require(FileManager.default.enumerator(atPath: goldenRoot))
        var goldenPaths: Set<String> = []
        while let path = enumerator.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: goldenRoot + "/" + path, isDirectory: &isDirectory),
                !isDirectory.boolValue
            {
                goldenPaths.insert(path)
            }
        }
        #expect(goldenPaths == Set(inventory.renderedFiles.keys))
        for (path, contents) in inventory.renderedFiles {
            let golden = FileManager.default.contents(atPath: goldenRoot + "/" + path).map { [UInt8]($0) }
            #expect(golden == contents, "\(path) differs from its golden file")
        }
    }

    @Test func copyingAProfileClaimsItsMACTwiceAndNamesBothFiles() throws {
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("rackboot-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: copy) }
        try FileManager.default.copyItem(atPath: RepositoryPaths.path("profiles"), toPath: copy.path)
        try FileManager.default.copyItem(atPath: copy.path + "/web-01.yaml", toPath: copy.path + "/web-01-copy.yaml")
        let outcome = ApplianceLoader(
            configPath: RepositoryPaths.path("docs/examples/rackboot.yaml"),
            profileDirectoryOverride: copy.path,
            displayPath: DisplayPath(workingDirectory: copy.path)
        ).load()
        #expect(outcome.inventory == nil)
        let errors = outcome.diagnostics.filter { $0.severity == .error }.map(\.description)
        #expect(
            errors == [
                "web-01.yaml:1:11: error: hostname 'web-01' is also used by web-01-copy.yaml\n"
                    + "    web-01-copy.yaml:1:11: note: first used here",
                "web-01.yaml:3:5: error: MAC 52:54:00:20:00:11 is also claimed by web-01-copy.yaml\n"
                    + "    web-01-copy.yaml:3:5: note: first claimed here",
                "web-01.yaml:4:5: error: IP 10.20.0.11 is also reserved by web-01-copy.yaml\n"
                    + "    web-01-copy.yaml:4:5: note: first reserved here",
            ])
    }
}
