import Foundation
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

    public func load() -> Outcome {
        let collector = DiagnosticCollector()
        let config = loadConfig(collector: collector)
        guard let config else {
            return Outcome(config: nil, inventory: nil, diagnostics: collector.diagnostics.sortedByLocation(),
                           profileFileCount: 0, templateFileCount: 0)
        }
        let (inventory, profiles, templates) = loadInventory(config: config, collector: collector)
        return Outcome(config: config, inventory: inventory, diagnostics: collector.diagnostics.sortedByLocation(),
                       profileFileCount: profiles, templateFileCount: templates)
    }

    /// Reads and validates the configuration file alone.
    public func loadConfig(collector: DiagnosticCollector) -> ApplianceConfig? {
        let absoluteConfig = displayPath.absolute(configPath)
        let shown = displayPath.display(absoluteConfig)
        guard let text = TextFiles.read(absoluteConfig, shownAs: shown,
                                        what: "the configuration file (use --config FILE)", collector: collector)
        else { return nil }
        let folder = (absoluteConfig as NSString).deletingLastPathComponent
        guard var config = ConfigParser.parse(YAMLSource(path: shown, text: text),
                                              resolvePath: { displayPath.absolute($0, relativeTo: folder) },
                                              collector: collector)
        else { return nil }
        checkBootFiles(config, collector: collector)
        if let override = profileDirectoryOverride {
            config.profileDirectory = displayPath.absolute(override)
        }
        if !TextFiles.isDirectory(config.tftp.root) {
            collector.error("the TFTP root \(displayPath.display(config.tftp.root)) is not a folder", at: .startOf(shown))
            return nil
        }
        return config
    }

    /// Warns about DHCP boot files missing from the TFTP root: machines would get a file name they cannot fetch.
    private func checkBootFiles(_ config: ApplianceConfig, collector: DiagnosticCollector) {
        let root = displayPath.display(config.tftp.root) + "/"
        for file in config.boot.filesWithCompanions {
            let at = config.boot.fileLocations[file.key] ?? .startOf(config.sourcePath)
            if !TextFiles.isRegularFile(config.tftp.root + "/" + file.path) {
                collector.warning("boot file '\(file.path)' (\(file.key)) is not under \(root); "
                                    + "'make tftproot' copies Debian's boot loaders there", at: at)
            } else if let companion = file.companion, !TextFiles.isRegularFile(config.tftp.root + "/" + companion) {
                collector.warning("'\(file.path)' loads '\(companion)', which is not under \(root)", at: at)
            }
        }
    }

    /// Reads the profile folder of `config` and builds the inventory.
    public func loadInventory(config: ApplianceConfig,
                              collector: DiagnosticCollector) -> (inventory: Inventory?, profiles: Int, templates: Int) {
        guard let contents = ProfileDirectory(path: config.profileDirectory)
            .read(displayPath: displayPath, collector: collector)
        else { return (nil, 0, 0) }
        let root = config.tftp.root
        let context = config.inventoryContext(bootFileRootDescription: displayPath.display(root) + "/") { path in
            TextFiles.isRegularFile(root + "/" + path)
        }
        let inventory = InventoryBuilder.build(profiles: contents.profiles, templates: contents.templates,
                                               context: context, collector: collector)
        return (inventory, contents.profiles.count, contents.templates.count)
    }
}
