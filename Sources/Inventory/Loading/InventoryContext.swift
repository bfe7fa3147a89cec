/// What the inventory needs to know from the appliance configuration to validate and render the profiles.
public struct InventoryContext {
    /// A subnet that machines may have fixed addresses in.
    public struct Subnet: Sendable {
        public var network: IPv4Network
        /// The TFTP server machines on this subnet use (`{{server}}` in their command lines).
        public var nextServer: IPv4Address
        public var router: IPv4Address?
        public var dnsServers: [IPv4Address] = []
        public var domain: String?
        public var pools: [IPv4Range]
        /// Where the subnet is configured, for notes.
        public var location: SourceLocation

        public init(
            network: IPv4Network, nextServer: IPv4Address, router: IPv4Address? = nil,
            pools: [IPv4Range] = [], location: SourceLocation
        ) {
            self.network = network
            self.nextServer = nextServer
            self.router = router
            self.pools = pools
            self.location = location
        }
    }

    public var subnets: [Subnet]
    /// False when the configuration's subnets could not be read (`rackboot check` of a configuration with errors):
    /// fixed addresses are then not checked against them.
    public var subnetsAreKnown = true
    /// `{{server}}` for machines without a fixed address, and for the unknown-machine configs.
    public var defaultServer: IPv4Address
    public var unknownMachinePolicy: UnknownMachinePolicy
    /// Answers whether a path exists under the TFTP root, so templates naming a missing kernel are reported.
    public var bootFileExists: (String) -> Bool
    /// How to name the TFTP root in messages (`tftproot/`).
    public var bootFileRootDescription: String
    /// The loader files `boot.loaders` configures: which firmware each family has a file for.
    public var configuredLoaders: [LoaderFamily: Set<Firmware>] = [:]
    /// The HTTP service's port; `nil` when it is off, which leaves `{{http}}`, `{{files_url}}` and answer files
    /// without a server.
    public var httpPort: Int?
    /// Reads an answer file's source, by its path relative to the templates folder.
    public var readTemplateFile: (String) -> Result<TemplateFileText, TemplateFileReadError> = { path in
        .failure(TemplateFileReadError("'\(path)' cannot be read: no templates folder"))
    }

    public init(
        subnets: [Subnet], defaultServer: IPv4Address, unknownMachinePolicy: UnknownMachinePolicy = .localBoot,
        bootFileRootDescription: String, bootFileExists: @escaping (String) -> Bool
    ) {
        self.subnets = subnets
        self.defaultServer = defaultServer
        self.unknownMachinePolicy = unknownMachinePolicy
        self.bootFileRootDescription = bootFileRootDescription
        self.bootFileExists = bootFileExists
    }

    /// The subnet that holds `address`, if any.
    func subnet(containing address: IPv4Address) -> Subnet? {
        subnets.first { $0.network.contains(address) }
    }
}
