import DHCPCore
import DHCPService
import Foundation
import Inventory
import Logging
import PostgresStorage

/// Turns the configuration's `dhcp:` and `boot:` sections into what the DHCP server runs with.
enum DHCPSetup {
    static func serverConfiguration(_ config: ApplianceConfig) -> DHCPServerConfiguration {
        let subnets = config.dhcp.subnets.map { settings in
            var subnet = DHCPServedSubnet(
                network: settings.network,
                nextServer: settings.nextServer ?? config.boot.nextServer)
            subnet.interface = settings.interface
            subnet.mode = settings.mode == .proxy ? .proxy : .server
            subnet.pools = settings.pools
            subnet.router = settings.router
            subnet.dnsServers = settings.dnsServers
            subnet.domain = settings.domain
            subnet.leaseTime = Int64(settings.leaseTime ?? config.dhcp.leaseTime)
            subnet.proxyEFIStrategy = ProxyEFIStrategy(rawValue: settings.proxyEFIStrategy) ?? .direct
            subnet.rateLimits = settings.rateLimits(inheriting: config.dhcp.rateLimits)
            return subnet
        }
        var engine = DHCPEngineConfiguration(
            subnets: subnets,
            bootFiles: DHCPBootFiles(
                bios: config.boot.biosFile, efiX64: config.boot.efiX64File,
                efiARM64: config.boot.efiARM64File, httpBootURL: config.boot.httpBootURL,
                ipxeScripts: config.boot.ipxeScripts, efiIA32: config.boot.efiIA32File))
        engine.bootFiles.loaders = config.boot.loaders
        engine.bootFiles.httpServicePort = config.http?.port
        engine.bootFiles.httpLoaders = config.boot.httpFiles
        engine.authoritative = config.dhcp.authoritative
        engine.rateLimitTrackedClients = config.dhcp.rateLimitTrackedMACs
        var interfaces: [String] = []
        var bootServerInterfaces: [String] = []
        for subnet in subnets {
            guard let interface = subnet.interface else { continue }
            if !interfaces.contains(interface) { interfaces.append(interface) }
            if subnet.mode == .proxy, !bootServerInterfaces.contains(interface) {
                bootServerInterfaces.append(interface)
            }
        }
        var server = DHCPServerConfiguration(engine: engine, interfaces: interfaces)
        server.port = config.dhcp.port
        server.bootServerInterfaces = bootServerInterfaces
        return server
    }

    /// The shared database's store when there is one, else `<state_directory>/leases.sqlite`, creating the folder
    /// (mode 0750) when missing.
    static func openLeaseStore(
        _ config: ApplianceConfig, shared: SharedDatabase?, logger: Logger
    ) throws -> any LeaseStore {
        if let shared {
            return PostgresLeaseStore(
                session: try shared.session(logger: logger), applianceName: shared.applianceName, logger: logger)
        }
        try FileManager.default.createDirectory(
            atPath: config.stateDirectory, withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o750])
        return try SQLiteLeaseStore(path: leaseDatabasePath(config), durability: config.dhcp.leaseDurability)
    }

    static func leaseDatabasePath(_ config: ApplianceConfig) -> String {
        config.stateDirectory + "/leases.sqlite"
    }
}
