import Appliance
import ArgumentParser
import Foundation
import Inventory

struct RenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract:
            "Print exactly the boot config (or, with --file, the answer file) the machine with this MAC is served.",
        discussion: "Machines that no profile claims get the unknown-machine config, as they would over TFTP."
    )

    @Argument(help: ArgumentHelp("The machine's MAC address, such as 52:54:00:12:34:56.", valueName: "mac"))
    var mac: String

    @Option(name: .long, help: "The boot loader's format: pxelinux, grub or ipxe.")
    var format: BootConfigFormat = .pxelinux

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Print this answer file of the machine (a name under its template's 'files:') instead of its boot "
                + "config, with its current install token.", valueName: "name"))
    var file: String?

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
        guard let config = outcome.config else { throw ExitCode(1) }
        if let file {
            try printAnswerFile(file, mac: mac, config: config, inventory: inventory)
            return
        }
        let served = try MachineState.servedInventory(inventory, config: config).bootConfig(for: mac, format: format)
        if let machine = inventory.machine(for: mac) {
            StandardError.write("# \(mac) is \(machine.hostname) (\(machine.profileFile)), served as \(served.path)\n")
        } else {
            StandardError.write(
                "# no profile claims \(mac): it gets the unknown-machine config, served as \(served.path)\n")
        }
        print(String(decoding: served.contents, as: UTF8.self), terminator: "")
    }

    /// Asks the running server (whose token is the live one), else renders from the stored state.
    private func printAnswerFile(_ file: String, mac: MACAddress, config: ApplianceConfig, inventory: Inventory) throws
    {
        let name = file.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? file
        do {
            let reply = try ControlClient(path: MachineState.controlSocketPath(config))
                .request("GET", "/machines/\(mac)/files/\(name)")
            let fields = try? JSONDecoder().decode([String: String].self, from: Data(reply.body.utf8))
            guard reply.status == 200, let text = fields?["text"] else {
                StandardError.write("rackboot: \(fields?["message"] ?? "the server refused (HTTP \(reply.status))")\n")
                throw ExitCode(1)
            }
            print(text, terminator: "")
        } catch ControlClient.Failure.notRunning {
            do {
                print(
                    try MachineState.renderAnswerFile(file, mac: mac, config: config, inventory: inventory),
                    terminator: "")
            } catch {
                StandardError.write("rackboot: \(error)\n")
                throw ExitCode(1)
            }
        }
    }
}

extension BootConfigFormat: ExpressibleByArgument {}
