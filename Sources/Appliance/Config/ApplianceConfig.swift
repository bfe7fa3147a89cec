import DHCPCore
import DHCPService
import Inventory
import TFTPCore
import TFTPService

/// The appliance configuration file (`/etc/rackboot/rackboot.yaml`), validated. Paths are absolute: relative paths
/// in the file were resolved against the file's folder. `docs/configuration.md` documents every key and default.
public struct ApplianceConfig: Sendable {
    /// The configuration file itself (as shown in messages).
    public var sourcePath: String
    /// Folder of machine profiles; boot templates live in its `templates/` subfolder.
    public var profileDirectory: String
    /// Where leases and other state persist.
    public var stateDirectory: String
    public var unknownMachines: UnknownMachinePolicy
    public var dhcp: DHCPSettings
    public var boot: BootSettings
    public var tftp: TFTPSettings
    /// `nil` when the HTTP service is off (no `http:` section, or `enabled: false`).
    public var http: HTTPSettings?
    /// Where leases and machine state are kept.
    public var leases = LeaseStoreSettings()

    /// The inventory's view of this configuration.
    public func inventoryContext(
        bootFileRootDescription: String,
        bootFileExists: @escaping (String) -> Bool
    ) -> InventoryContext {
        var context = InventoryContext(
            subnets: dhcp.subnets.map {
                var subnet = InventoryContext.Subnet(
                    network: $0.network, nextServer: $0.nextServer ?? boot.nextServer,
                    router: $0.router, pools: $0.pools, location: $0.location)
                subnet.dnsServers = $0.dnsServers
                subnet.domain = $0.domain
                return subnet
            },
            defaultServer: boot.nextServer, unknownMachinePolicy: unknownMachines,
            bootFileRootDescription: bootFileRootDescription, bootFileExists: bootFileExists)
        context.httpPort = http?.port
        context.configuredLoaders = boot.configuredLoaders
        return context
    }
}

/// DHCP service settings (`dhcp:`).
public struct DHCPSettings: Sendable {
    public var port: Int = 67
    /// Answer REQUESTs for unknown leases with NAK instead of silence (docs/protocol.md, "Authoritative NAK").
    public var authoritative: Bool = true
    /// Seconds.
    public var leaseTime: Int = 3600
    /// `lease_sync`: whether a lease commit waits for fsync (`full`) or only for the kernel (`normal`).
    public var leaseDurability: LeaseDurability = .full
    /// `rate_limit:`: the limits of every subnet that does not set its own.
    public var rateLimits = DHCPRateLimits()
    /// `rate_limit.tracked_macs`: the per-MAC table's size cap.
    public var rateLimitTrackedMACs = 10_000
    public var subnets: [SubnetSettings] = []
}

/// One subnet: served directly on an interface, or reached through a relay (no interface).
public struct SubnetSettings: Sendable {
    public enum Mode: String, Sendable, CaseIterable {
        /// Hand out addresses and boot information.
        case server
        /// ProxyDHCP: another server hands out addresses; Rackboot answers PXE clients with boot information only.
        case proxy
    }

    public var network: IPv4Network
    /// The interface to serve it on; `nil` for a subnet behind a relay agent (selected by giaddr).
    public var interface: String?
    public var mode: Mode = .server
    public var pools: [IPv4Range] = []
    public var router: IPv4Address?
    public var dnsServers: [IPv4Address] = []
    public var domain: String?
    /// Seconds; `nil` uses `dhcp.lease_time`.
    public var leaseTime: Int?
    /// `nil` uses `boot.next_server`.
    public var nextServer: IPv4Address?
    /// Proxy subnets: how UEFI PXE clients are answered, `direct` or `boot-server` (port 4011).
    public var proxyEFIStrategy: String = "direct"
    /// This subnet's `rate_limit.per_mac` and `per_relay`, each inherited from `dhcp.rate_limit` when not set.
    var perMACLimit = RateLimitParser.Setting.inherit
    var perRelayLimit = RateLimitParser.Setting.inherit
    public var location: SourceLocation

    /// The limits in force on this subnet.
    public func rateLimits(inheriting global: DHCPRateLimits) -> DHCPRateLimits {
        DHCPRateLimits(
            perMAC: perMACLimit.applied(to: global.perMAC),
            perRelay: perRelayLimit.applied(to: global.perRelay))
    }
}

/// Boot information handed out by DHCP (`boot:`).
public struct BootSettings: Sendable {
    /// The TFTP server (siaddr), also `{{server}}` in templates.
    public var nextServer: IPv4Address
    /// Option 93 = 0.
    public var biosFile: String = "pxelinux.0"
    /// Option 93 = 6, 7 or 9 (both 7 and 9 are x86-64 EFI in practice, docs/protocol.md, "Option 93 client
    /// architectures").
    public var efiX64File: String = "syslinux.efi"
    /// Option 93 = 11; `nil` means ARM64 clients get no boot file.
    public var efiARM64File: String?
    /// Option 93 = 6 (32-bit UEFI); `nil` means such clients get no boot file (never the 64-bit one).
    public var efiIA32File: String?
    /// `boot.loaders`: the file of each loader family per firmware, for machines whose `loader:` chooses one.
    public var loaders: [LoaderFamily: [Firmware: String]] = [:]
    /// `boot.files.http_url`: UEFI HTTP-boot clients get this URL (a server of the admin's own) instead of a loader
    /// from Rackboot's HTTP service.
    public var httpBootURL: String?
    /// `boot.http_files`: the loader per UEFI firmware that HTTP-boot clients load from Rackboot's HTTP service.
    public var httpFiles: [Firmware: String] = [:]
    /// iPXE (user class `iPXE` or option 175) gets its per-MAC script (`ipxe/01-<mac>.ipxe`) instead of a binary.
    public var ipxeScripts: Bool = true
    /// Where each boot file is configured (`bios`, `efi_x64`, `efi_arm64`, `loaders.grub.efi_x64`…), for messages.
    public var fileLocations: [String: SourceLocation] = [:]

    /// The boot files under the TFTP root, each with the module syslinux loads from beside it.
    public var filesWithCompanions: [(key: String, path: String, companion: String?)] {
        var files = [("bios", biosFile), ("efi_x64", efiX64File)]
        if let efiIA32File { files.append(("efi_ia32", efiIA32File)) }
        if let efiARM64File { files.append(("efi_arm64", efiARM64File)) }
        for (family, perFirmware) in loaders.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            for (firmware, path) in perFirmware.sorted(by: { $0.key < $1.key }) {
                files.append(("loaders.\(family.rawValue).\(firmware.rawValue)", path))
            }
        }
        for (firmware, path) in httpFiles.sorted(by: { $0.key < $1.key }) {
            files.append(("http_files.\(firmware.rawValue)", path))
        }
        return files.map { key, path in
            let folder = path.split(separator: "/").dropLast().map { $0 + "/" }.joined()
            let companion: String? =
                switch path.split(separator: "/").last {
                case "pxelinux.0", "lpxelinux.0": folder + "ldlinux.c32"
                case "syslinux.efi": folder + (key.hasSuffix("efi_ia32") ? "ldlinux.e32" : "ldlinux.e64")
                default: nil
                }
            return (key, path, companion)
        }
    }

    /// Which firmware each loader family has a file for, as the inventory checks `loader:` choices against it.
    public var configuredLoaders: [LoaderFamily: Set<Firmware>] {
        loaders.mapValues { Set($0.keys) }
    }
}

/// TFTP service settings (`tftp:`).
public struct TFTPSettings: Sendable {
    /// Read-only root; nothing outside it is ever served.
    public var root: String
    /// The address the request port binds to; 0.0.0.0 listens on every interface.
    public var address = IPv4Address(rawValue: 0)
    public var port: Int = 69
    /// Ceiling for the negotiated blksize, below the interface MTU − 32 (docs/protocol.md, "blksize and the MTU").
    public var maxBlockSize: Int = 1468
    /// Ceiling for the negotiated windowsize (RFC 7440).
    public var maxWindowSize: Int = 32
    /// Ceiling for windowsize × blksize, the bytes in flight per transfer.
    public var maxWindowBytes: Int = 4 << 20
    public var maxTransfers: Int = 1000
    /// Threads that run transfers; `nil`: one per core.
    public var transferThreads: Int?
    /// How transfer threads wait: io_uring where the kernel allows it, or epoll.
    public var transferIO: TFTPTransferIO = .automatic
    /// Microseconds a transfer thread with a lone transfer polls before it sleeps; 0: never.
    public var busyPollMicroseconds: Int = 200
    /// Seconds before the first retransmission, unless the client negotiates `timeout`.
    public var retransmitTimeout: Int = 1
    /// Retransmissions of one window before the transfer is abandoned.
    public var retries: Int = 5
}

/// HTTP service settings (`http:`): boot files, rendered configs and answer files, the install callback.
public struct HTTPSettings: Sendable {
    /// The address to listen on; 0.0.0.0 listens on every interface.
    public var address = IPv4Address(rawValue: 0)
    /// 80 by default; URLs handed to machines (`{{http}}`) name any other port.
    public var port: Int = 80
    /// Open connections at most.
    public var maxConnections: Int = 1024
    /// Seconds a request may take to arrive whole (and an idle keep-alive connection may stay open).
    public var requestTimeout: Int = 10
    /// Seconds a response may make no progress before it is abandoned.
    public var sendTimeout: Int = 30
}
