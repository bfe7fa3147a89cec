import Synchronization

/// The one current `Inventory`, shared by the DHCP and TFTP servers.
///
/// A reload builds and validates a whole new snapshot first and then swaps it here in one step, so every request
/// is answered from one consistent set and a broken reload changes nothing.
public final class SharedInventory: Sendable {
    private let current: Mutex<Inventory>

    public init(_ inventory: Inventory) {
        current = Mutex(inventory)
    }

    /// The snapshot in force now.
    public var inventory: Inventory {
        current.withLock { $0 }
    }

    /// Puts `inventory` in force for every request from now on.
    public func replace(with inventory: Inventory) {
        current.withLock { $0 = inventory }
    }
}
