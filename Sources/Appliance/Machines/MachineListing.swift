import Foundation
import Inventory
import Lifecycle

/// What `rackboot machines` shows: every machine of the inventory with its lifecycle, as a table or as JSON.
public struct MachineListing: Sendable, Codable {
    /// One machine as listed; the JSON field names are stable for scripts. Times are seconds since the epoch.
    public struct Entry: Codable, Sendable, Hashable {
        public var hostname: String
        public var macs: [String]
        /// The fixed address, else the one DHCP last acknowledged.
        public var ip: String?
        public var template: String?
        /// The profile's `state`: what the admin asked for.
        public var profileState: String
        /// What happened: never seen, install pending, installing, installed, local.
        public var lifecycle: String
        public var lastDHCP: Int64?
        public var lastBootFile: String?
        public var lastBootFileAt: Int64?
        public var lastConfig: String?
        public var lastConfigAt: Int64?
        public var installedAt: Int64?
        public var installCount: Int

        enum CodingKeys: String, CodingKey {
            case hostname, macs, ip, template, lifecycle
            case profileState = "profile_state"
            case lastDHCP = "last_dhcp"
            case lastBootFile = "last_boot_file"
            case lastBootFileAt = "last_boot_file_at"
            case lastConfig = "last_config"
            case lastConfigAt = "last_config_at"
            case installedAt = "installed_at"
            case installCount = "install_count"
        }
    }

    public var machines: [Entry]

    public init(machines: [Entry]) {
        self.machines = machines
    }

    public init(machines: [Machine], records: [String: MachineLifecycleRecord]) {
        self.machines = machines.map { machine in
            let record = records[machine.hostname.lowercased()]
            return Entry(
                hostname: machine.hostname, macs: machine.macs.map(\.description),
                ip: machine.ip?.description ?? record?.lastDHCPAddress, template: machine.templateName,
                profileState: machine.state.rawValue,
                lifecycle: LifecycleDisplay.state(profile: machine.state, record: record),
                lastDHCP: record?.lastDHCPAt, lastBootFile: record?.lastBootFile,
                lastBootFileAt: record?.lastBootFileAt, lastConfig: record?.lastConfig,
                lastConfigAt: record?.lastConfigAt, installedAt: record?.installedAt,
                installCount: record?.installCount ?? 0)
        }
    }

    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(machines), as: UTF8.self)
    }

    /// Aligned columns; times as ages ("42s ago").
    public func table(now: Int64) -> String {
        func age(_ time: Int64?) -> String {
            guard let time else { return "-" }
            let seconds = max(0, now - time)
            if seconds < 120 { return "\(seconds)s ago" }
            if seconds < 7200 { return "\(seconds / 60)m ago" }
            if seconds < 172_800 { return "\(seconds / 3600)h ago" }
            return "\(seconds / 86400)d ago"
        }
        let header = [
            "HOSTNAME", "MACS", "IP", "PROFILE", "LIFECYCLE", "LAST DHCP", "LAST CONFIG", "LAST FILE", "INSTALLED",
        ]
        let rows = machines.map { entry in
            [
                entry.hostname, entry.macs.joined(separator: ","), entry.ip ?? "-", entry.profileState, entry.lifecycle,
                age(entry.lastDHCP), entry.lastConfig.map { "\($0) (\(age(entry.lastConfigAt)))" } ?? "-",
                entry.lastBootFile.map { "\($0) (\(age(entry.lastBootFileAt)))" } ?? "-", age(entry.installedAt),
            ]
        }
        return TextTable.render(header: header, rows: rows)
    }
}
