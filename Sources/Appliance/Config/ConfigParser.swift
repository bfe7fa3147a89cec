import Inventory
import TFTPCore
import TFTPService

/// Reads the appliance configuration file into `ApplianceConfig`, reporting every problem with its position.
enum ConfigParser {
    static let topLevelKeys = [
        "profiles", "state_directory", "unknown_machines", "dhcp", "boot", "tftp", "http", "leases",
    ]

    /// `resolvePath` turns a path written in the file into an absolute one (relative to the file's folder).
    static func parse(
        _ source: YAMLSource, resolvePath: (String) -> String,
        collector: DiagnosticCollector
    ) -> ApplianceConfig? {
        parseKeepingParts(source, resolvePath: resolvePath, collector: collector).config
    }

    /// The configuration when it has no error; and either way the parts that parsed (nil when the file is not a
    /// YAML mapping at all), so the profiles can still be checked.
    static func parseKeepingParts(
        _ source: YAMLSource, resolvePath: (String) -> String,
        collector: DiagnosticCollector
    ) -> (config: ApplianceConfig?, parts: ConfigParts?) {
        guard
            let reader = MappingReader.document(
                source, describing: "the configuration", allowedKeys: topLevelKeys,
                collector: collector)
        else { return (nil, nil) }
        let before = collector.diagnostics.count

        let profiles = reader.string("profiles").map { resolvePath($0.value) } ?? resolvePath("profiles")
        let stateDirectory = reader.string("state_directory").map { resolvePath($0.value) } ?? "/var/lib/rackboot"
        let unknownMachines = parseUnknownMachines(reader, collector: collector)
        let boot = parseBoot(reader, collector: collector)
        let beforeDHCP = collector.diagnostics.count
        let dhcp = SubnetParser.parseDHCP(reader, collector: collector)
        let dhcpIsWhole = !collector.diagnostics[beforeDHCP...].contains { $0.severity == .error }
        let tftp = parseTFTP(reader, resolvePath: resolvePath, collector: collector)
        let http = parseHTTP(reader, collector: collector)
        let leases = LeaseStoreParser.parse(reader, resolvePath: resolvePath, collector: collector)
        if let boot, let location = boot.fileLocations["http_files"], case .some(nil) = http {
            collector.error(
                "boot.http_files are served by Rackboot's HTTP service, which is off; add an 'http:' section",
                at: location)
        }

        let parts = ConfigParts(
            profileDirectory: profiles, tftpRoot: tftp?.root ?? resolvePath("tftproot"),
            subnets: dhcpIsWhole ? dhcp?.subnets : nil, boot: boot,
            unknownMachines: unknownMachines, http: http ?? nil)
        guard !collector.diagnostics[before...].contains(where: { $0.severity == .error }),
            let boot, let dhcp, let tftp, let unknownMachines, let http, let leases
        else { return (nil, parts) }
        let config = ApplianceConfig(
            sourcePath: source.path, profileDirectory: profiles,
            stateDirectory: stateDirectory, unknownMachines: unknownMachines, dhcp: dhcp,
            boot: boot, tftp: tftp, http: http, leases: leases)
        return (config, parts)
    }

    private static func parseUnknownMachines(
        _ reader: MappingReader,
        collector: DiagnosticCollector
    ) -> UnknownMachinePolicy? {
        guard
            let section = reader.mapping(
                "unknown_machines", describing: "'unknown_machines'",
                allowedKeys: ["boot", "template"])
        else { return .localBoot }
        let boot = section.choice("boot", among: ["local", "template"], required: true)
        let template = section.string("template")
        switch (boot?.value, template) {
        case ("template", let template?):
            return .template(template)
        case ("template", nil):
            _ = section.node("template", required: true)
            return nil
        case ("local", let template?):
            collector.error(
                "'template' is set but 'boot' is local; set boot: template to use it",
                at: template.location)
            return nil
        case ("local", nil):
            return .localBoot
        default:
            return nil
        }
    }

    private static func parseBoot(_ reader: MappingReader, collector: DiagnosticCollector) -> BootSettings? {
        guard
            let section = reader.mapping(
                "boot", describing: "'boot'",
                allowedKeys: ["next_server", "files", "http_files", "loaders", "ipxe_scripts"], required: true)
        else { return nil }
        // Read on after a bad address, so the file keys below are checked too.
        let nextServer = section.string("next_server", required: true)
        let address = nextServer.flatMap { IPv4Address($0.value) }
        if let nextServer, address == nil {
            collector.error("'\(nextServer.value)' is not an IPv4 address", at: nextServer.location)
        }
        var boot = BootSettings(nextServer: address ?? IPv4Address(rawValue: 0))
        let keyLocation = nextServer?.location ?? section.location
        boot.fileLocations = ["bios": keyLocation, "efi_x64": keyLocation]
        if let ipxe = section.boolean("ipxe_scripts") { boot.ipxeScripts = ipxe.value }
        boot.loaders = parseLoaders(section, locations: &boot.fileLocations, collector: collector)
        boot.httpFiles = parseHTTPFiles(section, locations: &boot.fileLocations, collector: collector)
        guard
            let files = section.mapping(
                "files", describing: "'boot.files'",
                allowedKeys: ["bios", "efi_ia32", "efi_x64", "efi_arm64", "http_url"])
        else { return address == nil ? nil : boot }
        func bootFile(_ key: String) -> String? {
            guard let path = files.string(key) else { return nil }
            boot.fileLocations[key] = path.location
            if let problem = TextRules.bootPathProblem(path.value) {
                collector.error("\(key): \(problem)", at: path.location)
            }
            return path.value
        }
        if let bios = bootFile("bios") { boot.biosFile = bios }
        if let efi = bootFile("efi_x64") { boot.efiX64File = efi }
        boot.efiARM64File = bootFile("efi_arm64")
        boot.efiIA32File = bootFile("efi_ia32")
        // A default loader that cannot run on its firmware (syslinux.efi for ARM64) is an error, not a silent hang.
        for firmware in Firmware.allCases {
            guard let path = files.string(firmware.rawValue),
                let family = LoaderFamily.guess(fromFileName: path.value), !family.firmware.contains(firmware)
            else { continue }
            collector.error(
                "\(firmware.rawValue): '\(path.value)' is a \(family.rawValue) loader, which has no build for "
                    + "\(firmware.rawValue) firmware", at: path.location)
        }
        if let url = files.string("http_url") {
            if url.value.hasPrefix("http://") || url.value.hasPrefix("https://") {
                boot.httpBootURL = url.value
            } else {
                collector.error("http_url must be an http:// or https:// URL, not '\(url.value)'", at: url.location)
            }
        }
        return address == nil ? nil : boot
    }

    /// `boot.http_files`: firmware → the loader UEFI HTTP-boot clients load from Rackboot's HTTP service. syslinux is
    /// refused: it cannot load anything after HTTP boot (docs/protocol.md, "UEFI HTTP boot").
    private static func parseHTTPFiles(
        _ boot: MappingReader, locations: inout [String: SourceLocation], collector: DiagnosticCollector
    ) -> [Firmware: String] {
        let uefi: [Firmware] = [.efiIA32, .efiX64, .efiARM64]
        guard
            let section = boot.mapping(
                "http_files", describing: "'boot.http_files'", allowedKeys: uefi.map(\.rawValue))
        else { return [:] }
        locations["http_files"] = section.location
        var files: [Firmware: String] = [:]
        for firmware in uefi {
            guard let path = section.string(firmware.rawValue) else { continue }
            if let problem = TextRules.bootPathProblem(path.value) {
                collector.error("http_files.\(firmware.rawValue): \(problem)", at: path.location)
                continue
            }
            if let family = LoaderFamily.guess(fromFileName: path.value), !family.runsAfterHTTPBoot {
                collector.error(
                    "http_files.\(firmware.rawValue): '\(path.value)' is a \(family.rawValue) loader, which loads over "
                        + "TFTP only and cannot run after UEFI HTTP boot; use GRUB's or iPXE's EFI build",
                    at: path.location)
                continue
            }
            files[firmware] = path.value
            locations["http_files.\(firmware.rawValue)"] = path.location
        }
        return files
    }

    /// `boot.loaders`: family → firmware → file under the TFTP root, for machines whose `loader:` chooses it.
    private static func parseLoaders(
        _ boot: MappingReader, locations: inout [String: SourceLocation], collector: DiagnosticCollector
    ) -> [LoaderFamily: [Firmware: String]] {
        guard
            let section = boot.mapping(
                "loaders", describing: "'boot.loaders'", allowedKeys: LoaderFamily.allCases.map(\.rawValue))
        else { return [:] }
        var loaders: [LoaderFamily: [Firmware: String]] = [:]
        for family in LoaderFamily.allCases {
            guard
                let files = section.mapping(
                    family.rawValue, describing: "'boot.loaders.\(family.rawValue)'",
                    allowedKeys: family.firmware.sorted().map(\.rawValue))
            else { continue }
            for firmware in family.firmware.sorted() {
                guard let path = files.string(firmware.rawValue) else { continue }
                if let problem = TextRules.bootPathProblem(path.value) {
                    collector.error("loaders.\(family.rawValue).\(firmware.rawValue): \(problem)", at: path.location)
                    continue
                }
                loaders[family, default: [:]][firmware] = path.value
                locations["loaders.\(family.rawValue).\(firmware.rawValue)"] = path.location
            }
        }
        return loaders
    }

    /// `http:`: the outer optional is nil when the section has errors; the inner one when HTTP is off.
    private static func parseHTTP(_ reader: MappingReader, collector: DiagnosticCollector) -> HTTPSettings?? {
        guard
            let section = reader.mapping(
                "http", describing: "'http'",
                allowedKeys: ["enabled", "address", "port", "max_connections", "request_timeout", "send_timeout"])
        else { return reader.isPresentWithoutValue("http") ? .some(HTTPSettings()) : .some(nil) }
        let before = collector.diagnostics.count
        var http = HTTPSettings()
        if let address = section.string("address") {
            if let parsed = IPv4Address(address.value) {
                http.address = parsed
            } else {
                collector.error("'\(address.value)' is not an IPv4 address", at: address.location)
            }
        }
        if let port = section.integer("port", in: 1...65535) { http.port = port.value }
        if let count = section.integer("max_connections", in: 1...100_000) { http.maxConnections = count.value }
        if let timeout = section.duration("request_timeout", in: 1...3600) { http.requestTimeout = timeout.value }
        if let timeout = section.duration("send_timeout", in: 1...3600) { http.sendTimeout = timeout.value }
        guard !collector.diagnostics[before...].contains(where: { $0.severity == .error }) else { return nil }
        if section.boolean("enabled")?.value == false { return .some(nil) }
        return .some(http)
    }

    private static func parseTFTP(
        _ reader: MappingReader, resolvePath: (String) -> String,
        collector: DiagnosticCollector
    ) -> TFTPSettings? {
        var tftp = TFTPSettings(root: resolvePath("tftproot"))
        guard
            let section = reader.mapping(
                "tftp", describing: "'tftp'",
                allowedKeys: [
                    "root", "address", "port", "max_block_size", "max_window_size", "max_window_bytes", "max_transfers",
                    "transfer_threads", "transfer_io", "busy_poll_us", "retransmit_timeout", "retries",
                ])
        else { return tftp }
        if let root = section.string("root") { tftp.root = resolvePath(root.value) }
        if let address = section.string("address") {
            if let parsed = IPv4Address(address.value) {
                tftp.address = parsed
            } else {
                collector.error("'\(address.value)' is not an IPv4 address", at: address.location)
            }
        }
        if let port = section.integer("port", in: 1...65535) { tftp.port = port.value }
        // RFC 2348 allows 8 to 65464.
        if let size = section.integer("max_block_size", in: 8...65464) { tftp.maxBlockSize = size.value }
        // RFC 7440 allows 1 to 65535.
        if let size = section.integer("max_window_size", in: 1...65535) { tftp.maxWindowSize = size.value }
        if let bytes = section.integer("max_window_bytes", in: 512...(256 << 20)) { tftp.maxWindowBytes = bytes.value }
        if let count = section.integer("max_transfers", in: 1...100_000) { tftp.maxTransfers = count.value }
        if let count = section.integer("transfer_threads", in: 1...256) { tftp.transferThreads = count.value }
        if let io = section.choice("transfer_io", among: TFTPTransferIO.allCases.map(\.rawValue)) {
            tftp.transferIO = TFTPTransferIO(rawValue: io.value) ?? .automatic
        }
        if let spin = section.integer("busy_poll_us", in: 0...1000) { tftp.busyPollMicroseconds = spin.value }
        // RFC 2349 allows 1 to 255 seconds.
        if let timeout = section.duration("retransmit_timeout", in: 1...255) { tftp.retransmitTimeout = timeout.value }
        if let retries = section.integer("retries", in: 0...100) { tftp.retries = retries.value }
        return tftp
    }
}
