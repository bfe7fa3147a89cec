import Inventory

/// What a configuration file with errors still tells: where the profiles are and the settings they are checked
/// against, as far as those parsed. `rackboot check` uses it to check the profiles too, so one run lists every
/// problem of the set, not only the configuration's.
struct ConfigParts: Sendable {
    var profileDirectory: String
    var tftpRoot: String
    /// Nil when the `dhcp` section has errors: a subnet that did not parse would make every profile address in it
    /// look outside every subnet.
    var subnets: [SubnetSettings]?
    var boot: BootSettings?
    var unknownMachines: UnknownMachinePolicy?
    /// `nil` when HTTP is off or its section has errors.
    var http: HTTPSettings?

    /// The inventory's view of these parts: checks that need a part that did not parse are left out (addresses
    /// against subnets, boot files when the root is not a folder, the unknown-machine template).
    func inventoryContext(
        bootFileRootDescription: String, bootFileExists: @escaping (String) -> Bool
    ) -> InventoryContext {
        let defaultServer = boot?.nextServer ?? IPv4Address(rawValue: 0)
        var context = InventoryContext(
            subnets: (subnets ?? []).map {
                var subnet = InventoryContext.Subnet(
                    network: $0.network, nextServer: $0.nextServer ?? defaultServer,
                    router: $0.router, pools: $0.pools, location: $0.location)
                subnet.dnsServers = $0.dnsServers
                subnet.domain = $0.domain
                return subnet
            },
            defaultServer: defaultServer, unknownMachinePolicy: unknownMachines ?? .localBoot,
            bootFileRootDescription: bootFileRootDescription, bootFileExists: bootFileExists)
        context.subnetsAreKnown = subnets != nil
        context.httpPort = http?.port
        context.configuredLoaders = boot?.configuredLoaders ?? [:]
        return context
    }
}
