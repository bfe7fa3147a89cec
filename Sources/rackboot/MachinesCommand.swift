import Appliance
import ArgumentParser
import Foundation
import Inventory

struct MachinesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "machines",
        abstract: "List every machine with its profile state and lifecycle (never seen, installing, installed…).",
        discussion: """
            Asks the running server (its control socket, <state_directory>/control.sock); without one, reads the \
            profiles and <state_directory>/machines.sqlite.
            """
    )

    @OptionGroup var load: LoadOptions

    @Flag(name: .long, help: "Print JSON instead of a table.")
    var json = false

    func run() throws {
        let outcome = load.loader.load()
        guard let config = outcome.config else {
            DiagnosticPrinter.print(outcome.diagnostics)
            throw ExitCode(1)
        }
        let listing: MachineListing
        do {
            let reply = try ControlClient(path: MachineState.controlSocketPath(config)).request("GET", "/machines")
            guard reply.status == 200 else { throw ControlClient.Failure.badReply }
            listing = MachineListing(
                machines: try JSONDecoder().decode([MachineListing.Entry].self, from: Data(reply.body.utf8)))
        } catch ControlClient.Failure.notRunning {
            guard let inventory = outcome.inventory else {
                DiagnosticPrinter.print(outcome.diagnostics)
                throw ExitCode(1)
            }
            listing = MachineListing(machines: inventory.machines, records: try MachineState.storedRecords(config))
        }
        if json {
            print(try listing.json())
        } else if listing.machines.isEmpty {
            print("no machines")
        } else {
            print(listing.table(now: Int64(Date().timeIntervalSince1970)))
        }
    }
}

struct ReinstallCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reinstall",
        abstract: "Install a machine again on its next network boot (its profile must be in state install).",
        discussion: """
            Tells the running server through its control socket, which takes effect at once; without a running \
            server, writes <state_directory>/machines.sqlite for the next start.
            """
    )

    @Argument(help: ArgumentHelp("The machine's MAC address or host name.", valueName: "mac-or-hostname"))
    var machine: String

    @OptionGroup var load: LoadOptions

    func run() throws {
        let outcome = load.loader.load()
        guard let config = outcome.config else {
            DiagnosticPrinter.print(outcome.diagnostics)
            throw ExitCode(1)
        }
        let target = machine.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? machine
        do {
            let reply = try ControlClient(path: MachineState.controlSocketPath(config))
                .request("POST", "/machines/\(target)/reinstall")
            let message = (try? JSONDecoder().decode([String: String].self, from: Data(reply.body.utf8)))?["message"]
            guard reply.status == 200 else {
                StandardError.write("rackboot: \(message ?? "the server refused (HTTP \(reply.status))")\n")
                throw ExitCode(1)
            }
            print(message ?? "ok")
        } catch ControlClient.Failure.notRunning {
            guard let inventory = outcome.inventory else {
                DiagnosticPrinter.print(outcome.diagnostics)
                throw ExitCode(1)
            }
            do {
                print(try MachineState.reinstallOffline(machine, config: config, inventory: inventory))
            } catch {
                StandardError.write("rackboot: \(error)\n")
                throw ExitCode(1)
            }
        }
    }
}
