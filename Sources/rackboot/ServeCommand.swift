import Appliance
import ArgumentParser
import DHCP
import TFTP

struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the appliance: DHCP, TFTP and the inventory.",
        discussion: "This build loads and validates the inventory; the DHCP and TFTP servers are not implemented yet."
    )

    @OptionGroup var load: LoadOptions

    func run() throws {
        let outcome = load.loader.load()
        DiagnosticPrinter.print(outcome.diagnostics)
        guard let inventory = outcome.inventory, outcome.succeeded else {
            StandardError.write("rackboot: not serving: \(DiagnosticPrinter.summary(outcome.diagnostics))\n")
            throw ExitCode(1)
        }
        StandardError.write("rackboot: inventory loaded: \(inventory.machines.count) machines, "
                            + "\(inventory.renderedFiles.count) rendered boot files\n")
        guard DHCP.isImplemented, TFTP.isImplemented else {
            StandardError.write("rackboot: serve: this build has no DHCP or TFTP server yet; nothing is served\n")
            // EX_UNAVAILABLE (sysexits.h): the service is not available.
            throw ExitCode(69)
        }
    }
}
