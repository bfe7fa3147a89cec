import Appliance
import ArgumentParser
import Foundation
import Inventory

struct LeasesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "leases",
        abstract: "List the stored DHCP leases (bound and quarantined).",
        discussion: """
            Reads <state_directory>/leases.sqlite, or the shared PostgreSQL database (leases.backend: postgresql), \
            where offers are held too (state offered) and the appliances sharing it are listed; safe while the \
            servers run.
            """
    )

    @OptionGroup var load: LoadOptions

    @Flag(name: .long, help: "Print JSON instead of a table.")
    var json = false

    func run() throws {
        let collector = DiagnosticCollector()
        guard let config = load.loader.loadConfig(collector: collector) else {
            DiagnosticPrinter.print(collector.diagnostics)
            throw ExitCode(1)
        }
        let listing = try LeaseListing(config: config)
        let now = Int64(Date().timeIntervalSince1970)
        if json {
            print(try listing.json())
            return
        }
        print(listing.entries.isEmpty ? "no leases" : listing.table(now: now))
        for line in listing.applianceLines(now: now) { print(line) }
    }
}
