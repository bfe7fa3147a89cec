import Inventory

/// Everything remembered about one machine across restarts, keyed by its host name (lower-cased).
///
/// Times are seconds since the Unix epoch, passed in by the caller: this module reads no clock.
public struct MachineLifecycleRecord: Sendable, Hashable, Codable {
    public var hostname: String
    public var phase: InstallPhase
    /// The secret the installer's callback must carry; a fresh one per install, none once installed.
    public var installToken: String?
    public var installStartedAt: Int64?
    public var installedAt: Int64?
    /// Installs finished, over the machine's life.
    public var installCount: Int
    /// Counts phase changes (install started, installed, reinstall asked for). A store that several appliances share
    /// keeps the phase of the highest generation, so an appliance that saves old news never undoes another's change
    /// (`MachineLifecycle.adopting`).
    public var generation = 0
    public var lastDHCPAt: Int64?
    public var lastDHCPAddress: String?
    public var lastDHCPMAC: String?
    /// The last file (not a config) that went out whole over TFTP or HTTP, and when.
    public var lastBootFile: String?
    public var lastBootFileAt: Int64?
    /// The last rendered boot config that went out, and when.
    public var lastConfig: String?
    public var lastConfigAt: Int64?

    /// A machine seen for the first time: its install is pending with `token`.
    public init(hostname: String, token: String) {
        self.hostname = hostname
        self.phase = .pending
        self.installToken = token
        self.installCount = 0
    }
}
