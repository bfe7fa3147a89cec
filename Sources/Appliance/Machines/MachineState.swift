import Foundation
import Inventory
import Lifecycle
import LifecycleService
import Logging
import PostgresStorage

/// The machine state of a configuration's state directory, for the commands that run beside (or without) the server.
public enum MachineState {
    public static func controlSocketPath(_ config: ApplianceConfig) -> String {
        ControlSocket.socketPath(stateDirectory: config.stateDirectory)
    }

    static func databasePath(_ config: ApplianceConfig) -> String {
        config.stateDirectory + "/machines.sqlite"
    }

    /// The shared database's store when the configuration names one, else `machines.sqlite`, opened (creating the
    /// state directory and the file if needed).
    static func openStore(_ config: ApplianceConfig, logger: Logger) throws -> any MachineRecordStore {
        if let shared = try SharedDatabase(config) {
            return PostgresMachineStore(
                session: try shared.session(logger: logger), applianceName: shared.applianceName, logger: logger)
        }
        try FileManager.default.createDirectory(
            atPath: config.stateDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o750])
        do {
            return try MachineStateStore(path: databasePath(config))
        } catch {
            throw MachineStateError("cannot open \(databasePath(config)): \(error)")
        }
    }

    /// The stored records; none when the server never ran with this state directory.
    public static func storedRecords(_ config: ApplianceConfig) throws -> [String: MachineLifecycleRecord] {
        if config.leases.postgres != nil {
            do {
                return try openStore(config, logger: Logger(label: "rackboot")).loadAll()
            } catch {
                throw MachineStateError("cannot read the shared database: \(PostgresErrorText.describe(error))")
            }
        }
        let path = databasePath(config)
        guard FileManager.default.fileExists(atPath: path) else { return [:] }
        return try MachineStateStore(readingExisting: path).loadAll()
    }

    /// `inventory` as the server serves it: installed machines boot their disk.
    public static func servedInventory(_ inventory: Inventory, config: ApplianceConfig) throws -> Inventory {
        inventory.applyingInstalled(Set(try storedRecords(config).filter { $0.value.phase == .installed }.keys))
    }

    /// Reinstall without a running server: writes the record for the next start.
    public static func reinstallOffline(_ key: String, config: ApplianceConfig, inventory: Inventory) throws -> String {
        let machine =
            MACAddress(key).flatMap(inventory.machine(for:))
            ?? inventory.machines.first { $0.hostname.lowercased() == key.lowercased() }
        guard let machine else { throw MachineStateError("no machine with MAC or host name '\(key)'") }
        guard machine.state == .install else {
            throw MachineStateError(
                "\(machine.hostname)'s profile is in state local; set 'state: install' in \(machine.profileFile)")
        }
        let store = try openStore(config, logger: Logger(label: "rackboot"))
        let current =
            try store.loadAll()[machine.hostname.lowercased()]
            ?? MachineLifecycleRecord(hostname: machine.hostname, token: MachineLifecycleBook.randomToken())
        let next = MachineLifecycle.reinstall(current, newToken: MachineLifecycleBook.randomToken())
        try store.saveNow([next])
        guard !store.isShared else {
            return "\(machine.hostname) installs again on its next network boot (recorded in the shared database; "
                + "running appliances take it within seconds)"
        }
        return "\(machine.hostname) installs again on its next network boot (the server is not running: "
            + "recorded for its next start)"
    }

    /// The answer file `name` of the machine with `mac`, as the machine would get it now, from the stored state
    /// (`rackboot render --file` without a running server).
    public static func renderAnswerFile(
        _ name: String, mac: MACAddress, config: ApplianceConfig, inventory: Inventory
    ) throws -> String {
        guard let machine = inventory.machine(for: mac) else { throw MachineStateError("no profile claims \(mac)") }
        let record = try storedRecords(config)[machine.hostname.lowercased()]
        return try renderAnswerFile(name, mac: mac, inventory: inventory, record: record)
    }

    /// The answer file `name` of the machine with `mac`, with the install token of `record`.
    static func renderAnswerFile(
        _ name: String, mac: MACAddress, inventory: Inventory, record: MachineLifecycleRecord?
    ) throws -> String {
        guard let machine = inventory.machine(for: mac) else { throw MachineStateError("no profile claims \(mac)") }
        guard let files = inventory.answerFiles[machine.hostname.lowercased()] else {
            throw MachineStateError(
                "\(machine.hostname) has no answer files (its template names none, or its state is not install)")
        }
        let address = machine.ip ?? record?.lastDHCPAddress.flatMap(IPv4Address.init)
        guard let address else {
            throw MachineStateError("\(machine.hostname) has no fixed 'ip' and no lease yet: its {{ip}} is not known")
        }
        let callback = callbackURL(files, record: record)
        switch files.render(
            name, client: address, macAtClient: mac, callbackURL: callback, subnets: inventory.answerFileSubnets)
        {
        case .rendered(let text): return text
        case .notFound(let reason), .forbidden(let reason): throw MachineStateError(reason)
        }
    }
}

extension MachineState {
    /// `{{callback_url}}` of a machine: with its install token, or with a word saying why there is none (the token
    /// is drawn when the server first sees the machine, and spent by the callback), which no callback accepts.
    static func callbackURL(_ files: MachineAnswerFiles, record: MachineLifecycleRecord?) -> String {
        let token = record.map { $0.installToken ?? "spent-reinstall-for-a-new-token" } ?? "drawn-at-first-boot"
        return ServiceURL.callback(base: files.values["http"] ?? "", hostname: files.hostname, token: token)
    }
}

/// Why a machine-state command failed, in words for the admin.
public struct MachineStateError: Error, CustomStringConvertible {
    public var description: String

    init(_ description: String) {
        self.description = description
    }
}
