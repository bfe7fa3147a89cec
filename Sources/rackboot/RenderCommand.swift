import ArgumentParser
import Inventory

struct RenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Print exactly the boot config that the machine with this MAC is served.",
        discussion: "Machines that no profile claims get the unknown-machine config, as they would over TFTP."
    )

    @Argument(help: ArgumentHelp("The machine's MAC address, such as 52:54:00:12:34:56.", valueName: "mac"))
    var mac: String

    @Option(name: .long, help: "The boot loader's format: pxelinux, grub or ipxe.")
    var format: BootConfigFormat = .pxelinux

    @OptionGroup var load: LoadOptions

    func validate() throws {
        guard MACAddress(mac) != nil else {
            throw ValidationError("'\(mac)' is not a MAC address such as 52:54:00:12:34:56")
        }
    }

    func run() throws {
        let outcome = load.loader.load()
        guard let inventory = outcome.inventory, outcome.succeeded, let mac = MACAddress(mac) else {
            DiagnosticPrinter.print(outcome.diagnostics)
            StandardError.write(
                "rackboot: the profiles do not load (\(DiagnosticPrinter.summary(outcome.diagnostics))); "
                    + "run 'rackboot check'\n")
            throw ExitCode(1)
        }
        let served = inventory.bootConfig(for: mac, format: format)
        if let machine = inventory.machine(for: mac) {
            StandardError.write("# \(mac) is \(machine.hostname) (\(machine.profileFile)), served as \(served.path)\n")
        } else {
            StandardError.write(
                "# no profile claims \(mac): it gets the unknown-machine config, served as \(served.path)\n")
        }
        print(String(decoding: served.contents, as: UTF8.self), terminator: "")
    }
}

extension BootConfigFormat: ExpressibleByArgument {}
