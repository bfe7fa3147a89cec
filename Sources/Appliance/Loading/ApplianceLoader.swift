import Foundation
import HTTPCore
import Inventory

/// Loads the configuration file and the profiles it points at into a validated inventory.
///
/// Both `rackboot check` and the running server (at start and on reload) go through here, so `check` predicts
/// exactly what a reload will do.
public struct ApplianceLoader: Sendable {
    public var configPath: String
    /// Overrides the configuration's `profiles:` folder (`--profiles`).
    public var profileDirectoryOverride: String?
    public var displayPath: DisplayPath

    public init(configPath: String, profileDirectoryOverride: String? = nil, displayPath: DisplayPath = DisplayPath()) {
        self.configPath = configPath
        self.profileDirectoryOverride = profileDirectoryOverride
        self.displayPath = displayPath
    }

    /// The result of one load: the inventory when the set is whole, and every diagnostic either way.
    public struct Outcome: Sendable {
        public var config: ApplianceConfig?
        public var inventory: Inventory?
        /// Sorted by file and line.
        public var diagnostics: [Diagnostic]
        /// How many profile and template files were read.
        public var profileFileCount: Int
        public var templateFileCount: Int

        public var succeeded: Bool { inventory != nil && !diagnostics.containsErrors }
    }

    /// Loads the configuration and the profiles. A configuration with errors loads nothing, but its profiles are
    /// still checked against what of it parsed, so the outcome lists every problem of the set at once.
    public func load() -> Outcome {
        let collector = DiagnosticCollector()
        let (config, parts) = loadConfigKeepingParts(collector: collector)
        guard let config else {
            var counts = (profiles: 0, templates: 0)
            if let parts {
                let root = parts.tftpRoot
                let rootIsFolder = TextFiles.isDirectory(root)
                let context = parts.inventoryContext(bootFileRootDescription: displayPath.display(root) + "/") {
                    !rootIsFolder || TextFiles.isRegularFile(root + "/" + $0)
                }
                let loaded = loadInventory(from: parts.profileDirectory, context: context, collector: collector)
                counts = (loaded.profiles, loaded.templates)
            }
            return Outcome(
                config: nil, inventory: nil, diagnostics: collector.diagnostics.sortedByLocation(),
                profileFileCount: counts.profiles, templateFileCount: counts.templates)
        }
        let (inventory, profiles, templates) = loadInventory(config: config, collector: collector)
        return Outcome(
            config: config, inventory: inventory, diagnostics: collector.diagnostics.sortedByLocation(),
            profileFileCount: profiles, templateFileCount: templates)
    }

    /// Reads and validates the configuration file alone.
    public func loadConfig(collector: DiagnosticCollector) -> ApplianceConfig? {
        loadConfigKeepingParts(collector: collector).config
    }

    /// The configuration when it is whole, and the parts of it that parsed (with `--profiles` applied) either way,
    /// unless the file could not be read as YAML at all.
    func loadConfigKeepingParts(collector: DiagnosticCollector) -> (config: ApplianceConfig?, parts: ConfigParts?) {
        let absoluteConfig = displayPath.absolute(configPath)
        let shown = displayPath.display(absoluteConfig)
        guard
            let text = TextFiles.read(
                absoluteConfig, shownAs: shown,
                what: "the configuration file (use --config FILE)", collector: collector)
        else { return (nil, nil) }
        let folder = (absoluteConfig as NSString).deletingLastPathComponent
        var (config, parts) = ConfigParser.parseKeepingParts(
            YAMLSource(path: shown, text: text), resolvePath: { displayPath.absolute($0, relativeTo: folder) },
            collector: collector)
        if let override = profileDirectoryOverride {
            config?.profileDirectory = displayPath.absolute(override)
            parts?.profileDirectory = displayPath.absolute(override)
        }
        guard let config else { return (nil, parts) }
        checkBootFiles(config, collector: collector)
        checkHTTPBootPort(config, collector: collector)
        checkReservedFolders(config, collector: collector)
        if !TextFiles.isDirectory(config.tftp.root) {
            collector.error(
                "the TFTP root \(displayPath.display(config.tftp.root)) is not a folder", at: .startOf(shown))
            return (nil, parts)
        }
        return (config, parts)
    }

    /// Warns about DHCP boot files missing from the TFTP root: machines would get a file name they cannot fetch.
    private func checkBootFiles(_ config: ApplianceConfig, collector: DiagnosticCollector) {
        let root = displayPath.display(config.tftp.root) + "/"
        for file in config.boot.filesWithCompanions {
            let at = config.boot.fileLocations[file.key] ?? .startOf(config.sourcePath)
            if !TextFiles.isRegularFile(config.tftp.root + "/" + file.path) {
                collector.warning(
                    "boot file '\(file.path)' (\(file.key)) is not under \(root); "
                        + "'make tftproot' copies Debian's boot loaders there", at: at)
            } else if let companion = file.companion, !TextFiles.isRegularFile(config.tftp.root + "/" + companion) {
                collector.warning("'\(file.path)' loads '\(companion)', which is not under \(root)", at: at)
            }
        }
    }

    /// Warns when GRUB would be HTTP-booted from a port other than 80: GRUB 2.06 (Debian 12's network GRUB) reads
    /// `host:port` in its `(http,…)` device as a host name, so it would find no config (docs/protocol.md, "UEFI HTTP
    /// boot").
    private func checkHTTPBootPort(_ config: ApplianceConfig, collector: DiagnosticCollector) {
        guard let port = config.http?.port, port != 80 else { return }
        for (firmware, path) in config.boot.httpFiles.sorted(by: { $0.key < $1.key })
        where LoaderFamily.guess(fromFileName: path) == .grub {
            let key = "http_files.\(firmware.rawValue)"
            collector.warning(
                "\(key): GRUB loaded by UEFI HTTP boot fetches its config from the same server, and GRUB 2.06 cannot "
                    + "use a port other than 80 (http.port is \(port)); serve HTTP on port 80 or HTTP-boot iPXE",
                at: config.boot.fileLocations[key] ?? .startOf(config.sourcePath))
        }
    }

    /// Warns about folders of the TFTP root that HTTP cannot serve because its own routes take their names.
    private func checkReservedFolders(_ config: ApplianceConfig, collector: DiagnosticCollector) {
        guard config.http != nil else { return }
        for name in HTTPRoute.reservedFolders.sorted()
        where FileManager.default.fileExists(atPath: config.tftp.root + "/" + name) {
            collector.warning(
                "\(displayPath.display(config.tftp.root))/\(name) cannot be fetched over HTTP: /\(name)/ is Rackboot's own "
                    + "route (answer files, install callbacks, metrics); rename it to serve it",
                at: .startOf(config.sourcePath))
        }
    }

    /// Reads the profile folder of `config` and builds the inventory.
    public func loadInventory(
        config: ApplianceConfig,
        collector: DiagnosticCollector
    ) -> (inventory: Inventory?, profiles: Int, templates: Int) {
        let root = config.tftp.root
        let context = config.inventoryContext(bootFileRootDescription: displayPath.display(root) + "/") { path in
            TextFiles.isRegularFile(root + "/" + path)
        }
        return loadInventory(from: config.profileDirectory, context: context, collector: collector)
    }

    private func loadInventory(
        from profileDirectory: String, context: InventoryContext,
        collector: DiagnosticCollector
    ) -> (inventory: Inventory?, profiles: Int, templates: Int) {
        var context = context
        let templates = profileDirectory + "/" + ProfileDirectory.templateSubdirectory
        context.readTemplateFile = { [displayPath] path in
            TextFiles.readAnswerFileSource(templates + "/" + path, shownAs: displayPath.display(templates + "/" + path))
        }
        guard
            let contents = ProfileDirectory(path: profileDirectory)
                .read(displayPath: displayPath, collector: collector)
        else { return (nil, 0, 0) }
        let inventory = InventoryBuilder.build(
            profiles: contents.profiles, templates: contents.templates,
            context: context, collector: collector)
        return (inventory, contents.profiles.count, contents.templates.count)
    }
}
