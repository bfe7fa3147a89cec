import Appliance
import ArgumentParser

@main
struct Rackboot: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rackboot",
        abstract: "Network-boot provisioning: DHCP, TFTP and per-machine boot configs from one inventory.",
        version: RackbootVersion.string,
        subcommands: [
            CheckCommand.self, RenderCommand.self, ServeCommand.self, LeasesCommand.self, MachinesCommand.self,
            ReinstallCommand.self,
        ]
    )
}
