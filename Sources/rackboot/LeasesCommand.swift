import Appliance
import ArgumentParser
import Foundation
import Inventory

struct LeasesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "leases",
        abstract: "List the stored DHCP leases (bound and quarantined).",
        discussion: "Reads <state_directory>/leases.sqlite; safe while the server runs. Offers are not stored."
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
        if json {
            print(try listing.json())
        } else if listing.entries.isEmpty {
            print("no leases")
        } else {
            print(listing.table(now: Int64(Date().timeIntervalSince1970)))
        }
    }
}
