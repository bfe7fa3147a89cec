import Synchronization

/// The one current `Inventory`, shared by the DHCP, TFTP and HTTP servers.
///
/// A reload builds and validates a whole new snapshot first and then swaps it here in one step, so every request
/// is answered from one consistent set and a broken reload changes nothing. The machines whose install called back
/// are applied on top (`Inventory.applyingInstalled`), on every reload and every change of that set.
public final class SharedInventory: Sendable {
    private struct State {
        var loaded: Inventory
        var installed: Set<String> = []
        var current: Inventory
    }

    private let state: Mutex<State>

    public init(_ inventory: Inventory) {
        state = Mutex(State(loaded: inventory, current: inventory))
    }

    /// The snapshot in force now.
    public var inventory: Inventory {
        state.withLock { $0.current }
    }

    /// Puts `inventory` in force for every request from now on.
    public func replace(with inventory: Inventory) {
        state.withLock { state in
            state.loaded = inventory
            state.current = inventory.applyingInstalled(state.installed)
        }
    }

    /// Switches the machines in `hostnames` (lower-cased) to local boot, and every other machine back to its profile.
    public func setInstalled(_ hostnames: Set<String>) {
        state.withLock { state in
            state.installed = hostnames
            state.current = state.loaded.applyingInstalled(hostnames)
        }
    }
}
