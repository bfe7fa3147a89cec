/// An immutable, fully validated snapshot of the machines and everything rendered for them.
///
/// DHCP and TFTP share one snapshot; a reload builds a new one and swaps it whole, so a request is always answered
/// from one consistent set. Every boot config is rendered when the snapshot is built, so TFTP knows each file's
/// exact size before it sends the OACK (tsize) and two requests for one file get the same bytes.
public struct Inventory: Sendable {
    /// Machines in host-name order.
    public let machines: [Machine]
    /// Template names, sorted.
    public let templateNames: [String]
    /// What machines that no profile claims boot.
    public let unknownMachineBoot: BootEntry
    /// Every rendered file by its path under the TFTP root (`pxelinux.cfg/01-52-54-00-12-34-56`).
    public private(set) var renderedFiles: [String: [UInt8]]
    /// Problems that did not stop the load (a kernel not yet under the TFTP root, an unused variable).
    public let warnings: [Diagnostic]
    /// Answer files of machines in state `install`, by lower-cased host name.
    public internal(set) var answerFiles: [String: MachineAnswerFiles] = [:]
    /// The subnets' settings for answer files.
    public internal(set) var answerFileSubnets: [AnswerFileSubnet] = []
    /// For machines in state `install`: the local-boot config each of their file names switches to once the machine
    /// is installed (`applyingInstalled`).
    var installedBootFiles: [String: [UInt8]] = [:]
    /// Host names (lower-cased) whose install finished: they boot their disk until reinstalled.
    public private(set) var installedHostnames: Set<String> = []
    /// The files as the profiles alone render them, before `applyingInstalled`.
    private let profileRenderedFiles: [String: [UInt8]]

    private let machineIndexByMAC: [MACAddress: Int]
    private let machineIndexByIP: [IPv4Address: Int]

    init(
        machines: [Machine], templateNames: [String], unknownMachineBoot: BootEntry,
        renderedFiles: [String: [UInt8]], warnings: [Diagnostic]
    ) {
        self.machines = machines
        self.templateNames = templateNames
        self.unknownMachineBoot = unknownMachineBoot
        self.renderedFiles = renderedFiles
        self.profileRenderedFiles = renderedFiles
        self.warnings = warnings
        var byMAC: [MACAddress: Int] = [:]
        var byIP: [IPv4Address: Int] = [:]
        for (index, machine) in machines.enumerated() {
            for mac in machine.macs { byMAC[mac] = index }
            if let ip = machine.ip { byIP[ip] = index }
        }
        machineIndexByMAC = byMAC
        machineIndexByIP = byIP
    }

    /// An inventory with no machines whose unknown-machine policy is local boot: what serves before any load.
    public static let empty = InventoryBuilder.emptyInventory()

    public func machine(for mac: MACAddress) -> Machine? {
        machineIndexByMAC[mac].map { machines[$0] }
    }

    public func machine(for ip: IPv4Address) -> Machine? {
        machineIndexByIP[ip].map { machines[$0] }
    }

    /// This snapshot with the machines in `hostnames` (lower-cased) switched to local boot: what their installers'
    /// callbacks decided (docs/lifecycle.md). Machines not in state `install` are unaffected.
    public func applyingInstalled(_ hostnames: Set<String>) -> Inventory {
        var result = self
        result.installedHostnames = hostnames
        result.renderedFiles = profileRenderedFiles
        for machine in machines where machine.state == .install && hostnames.contains(machine.hostname.lowercased()) {
            for mac in machine.macs {
                for format in BootConfigFormat.allCases {
                    var names = [format.fileName(for: mac)]
                    if let ip = machine.ip, let ipName = format.fileName(for: ip) { names.append(ipName) }
                    for name in names {
                        if let installed = installedBootFiles[name] { result.renderedFiles[name] = installed }
                    }
                }
            }
        }
        return result
    }

    /// Whether `machine` boots its disk: state `local`, or installed and not yet asked to reinstall.
    public func bootsLocalDisk(_ machine: Machine) -> Bool {
        machine.state == .local || installedHostnames.contains(machine.hostname.lowercased())
    }

    /// A rendered file by its TFTP path (already normalised: no leading `/`, `/` separators).
    public func renderedFile(at path: String) -> [UInt8]? {
        renderedFiles[path]
    }

    /// Exactly what the boot loader of the machine with `mac` receives in `format`: its own file when a profile
    /// claims the MAC, otherwise the unknown-machine file.
    public func bootConfig(for mac: MACAddress, format: BootConfigFormat) -> (path: String, contents: [UInt8]) {
        if machine(for: mac) != nil, let contents = renderedFiles[format.fileName(for: mac)] {
            return (format.fileName(for: mac), contents)
        }
        let path = format.fallbackFileName
        return (path, renderedFiles[path] ?? [])
    }
}
