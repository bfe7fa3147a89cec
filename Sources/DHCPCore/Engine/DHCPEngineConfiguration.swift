import Inventory

/// Everything the DHCP engine decides with, taken from the appliance configuration.
public struct DHCPEngineConfiguration: Sendable {
    public var subnets: [DHCPServedSubnet]
    /// Answer requests for addresses Rackboot does not know with DHCPNAK (RFC 2131 §4.3.2), instead of silence.
    public var authoritative: Bool = true
    public var bootFiles: DHCPBootFiles
    /// Fraction of the lease time after which the client renews (T1, option 58); RFC 2131 §4.4.5 default 0.5.
    public var renewalFraction: Double = 0.5
    /// Fraction after which it rebinds (T2, option 59); RFC 2131 §4.4.5 default 0.875.
    public var rebindingFraction: Double = 0.875
    /// Seconds an offered address stays held for the client that was offered it.
    public var offerHoldTime: Int64 = 60
    /// Seconds a declined address (RFC 2131 §4.3.3: someone else uses it) is kept out of the pool.
    public var declineQuarantineTime: Int64 = 600
    /// At most this many MACs are tracked for the per-MAC rate limit (see `TokenBucketTable` for the eviction).
    public var rateLimitTrackedClients: Int = 10_000
    /// How far into each subnet's pools (0 to 1) the search for a new client's address starts. One appliance starts
    /// at the first address; appliances sharing a store start at different points (`poolSearchStart(ordinal:)`),
    /// so they do not all reach for the same next address and have the store refuse all but one.
    public var poolSearchStart: Double = 0

    /// Where appliance number `ordinal` (0, 1, 2, … in the order they first used the shared store) starts: the
    /// fractional parts of multiples of the golden ratio, which keep any number of appliances far apart without
    /// knowing how many there are (0, 0.618, 0.236, 0.854, …).
    public static func poolSearchStart(ordinal: Int) -> Double {
        let spread = Double(ordinal) * 0.618_033_988_749_894_8
        return spread - spread.rounded(.down)
    }

    public init(subnets: [DHCPServedSubnet], bootFiles: DHCPBootFiles) {
        self.subnets = subnets
        self.bootFiles = bootFiles
    }
}

/// A subnet as the engine serves it.
public struct DHCPServedSubnet: Sendable {
    public enum Mode: Sendable, Hashable {
        /// Addresses and boot information.
        case server
        /// ProxyDHCP: boot information only, beside another DHCP server (PXE 2.1 §2.2.2).
        case proxy
    }

    public var network: IPv4Network
    /// The interface it is served on directly; `nil` when reached through relays only.
    public var interface: String?
    public var mode: Mode = .server
    public var pools: [IPv4Range] = []
    public var router: IPv4Address?
    public var dnsServers: [IPv4Address] = []
    public var domain: String?
    /// Seconds.
    public var leaseTime: Int64 = 3600
    /// siaddr: the TFTP server.
    public var nextServer: IPv4Address
    /// How UEFI PXE clients are answered in proxy mode (docs/protocol.md, "Proxy DHCP and port 4011": no single choice
    /// suits every firmware).
    public var proxyEFIStrategy: ProxyEFIStrategy = .direct
    /// Per-MAC and per-relay limits for requests on this subnet.
    public var rateLimits = DHCPRateLimits()

    public init(network: IPv4Network, nextServer: IPv4Address) {
        self.network = network
        self.nextServer = nextServer
    }
}

/// The two proxyDHCP strategies for UEFI firmware.
public enum ProxyEFIStrategy: String, Sendable, Hashable, CaseIterable {
    /// Send option 43 sub-option 6 = 8 with siaddr and file, so the client goes straight to TFTP (Smee's way).
    case direct
    /// Omit option 43, so the client asks the boot server on port 4011 (Pixiecore's and dnsmasq's way).
    case bootServer = "boot-server"
}

/// Boot file names by client kind (option 93, iPXE, UEFI HTTP boot).
public struct DHCPBootFiles: Sendable {
    public var bios: String
    /// Option 93 = 6 (32-bit UEFI); `nil`: such clients get no boot file, never the 64-bit one.
    public var efiIA32: String?
    public var efiX64: String
    public var efiARM64: String?
    /// The files of the loader families a machine's profile or template can choose (`boot.loaders`).
    public var loaders: [LoaderFamily: [Firmware: String]] = [:]
    /// `boot.files.http_url`: every UEFI HTTP-boot client gets this URL, served by someone else.
    public var httpBootURL: String?
    /// `boot.http_files`: the loader per firmware that UEFI HTTP-boot clients load from Rackboot's HTTP service.
    public var httpLoaders: [Firmware: String] = [:]
    /// The default loader for `firmware` (`boot.files`).
    public func defaultFile(for firmware: Firmware) -> String? {
        switch firmware {
        case .bios: return bios
        case .efiIA32: return efiIA32
        case .efiX64: return efiX64
        case .efiARM64: return efiARM64
        }
    }

    /// iPXE gets its per-MAC script rendered by the inventory instead of a binary.
    public var ipxeScripts: Bool = true
    /// When the HTTP service runs, its port: iPXE then gets its script as an `http://` URL on the subnet's boot
    /// server, so the kernel and initrds the script names load over HTTP too (docs/protocol.md, "iPXE over HTTP"),
    /// and UEFI HTTP-boot clients get their loader from it.
    public var httpServicePort: Int?

    public init(
        bios: String, efiX64: String, efiARM64: String? = nil, httpBootURL: String? = nil,
        ipxeScripts: Bool = true, efiIA32: String? = nil
    ) {
        self.bios = bios
        self.efiIA32 = efiIA32
        self.efiX64 = efiX64
        self.efiARM64 = efiARM64
        self.httpBootURL = httpBootURL
        self.ipxeScripts = ipxeScripts
    }
}
