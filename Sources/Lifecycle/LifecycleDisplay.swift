import Inventory

/// What `rackboot machines` shows as a machine's lifecycle, from its profile state and its record.
public enum LifecycleDisplay {
    public static func state(profile: NetbootState, record: MachineLifecycleRecord?) -> String {
        if profile == .local { return "local" }
        guard let record else { return "never seen" }
        switch record.phase {
        case .pending where record.installCount > 0: return "reinstall pending"
        case .pending where record.lastDHCPAt == nil && record.lastConfigAt == nil: return "never seen"
        case .pending: return "install pending"
        case .installing: return "installing"
        case .installed: return "installed"
        }
    }
}
