import ArgumentParser
import Inventory

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Load and validate the configuration and every profile; list every problem.",
        discussion: """
            Exits 0 when the set would load (warnings are printed but allowed), 1 when it has errors. \
            A running server given the same files on reload does exactly what this predicts.
            """
    )

    @OptionGroup var load: LoadOptions

    @Flag(name: .long, help: "Treat warnings as errors.")
    var strict = false

    func run() throws {
        let outcome = load.loader.load()
        for diagnostic in outcome.diagnostics {
            print(diagnostic)
        }
        let summary = DiagnosticPrinter.summary(outcome.diagnostics)
        if let inventory = outcome.inventory {
            print("\(inventory.machines.count) machines, \(inventory.templateNames.count) templates: \(summary)")
        } else {
            print(
                "\(outcome.profileFileCount) profile files, \(outcome.templateFileCount) template files: \(summary); "
                    + "nothing would be loaded")
        }
        let failed = !outcome.succeeded || (strict && !outcome.diagnostics.isEmpty)
        if failed { throw ExitCode(1) }
    }
}
