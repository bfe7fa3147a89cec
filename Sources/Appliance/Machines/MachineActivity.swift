import Inventory
import LifecycleService

/// Turns what the servers see (DHCP acknowledgements, files served over TFTP and HTTP) into lifecycle observations:
/// finds the machine by MAC or address in the current inventory and tells the book.
struct MachineActivity: Sendable {
    let inventory: SharedInventory
    let book: MachineLifecycleBook
    let addressBook: ClientAddressBook

    /// DHCP acknowledged `address` to `mac` (static: the address book that reports it is built before this).
    static func dhcpAcknowledged(
        _ mac: MACAddress, _ address: IPv4Address, inventory: SharedInventory, book: MachineLifecycleBook
    ) {
        guard let machine = inventory.inventory.machine(for: mac) else { return }
        book.observeDHCP(hostname: machine.hostname, mac: mac, address: address)
    }

    /// A file went out whole to `client`. A rendered config of a machine that is to be installed (not yet
    /// installed) is its installer's config: that starts the install.
    func fileServed(path: String, isRendered: Bool, client: IPv4Address, mac: MACAddress?) {
        let snapshot = inventory.inventory
        let mac = mac ?? BootConfigFormat.mac(inFileName: path) ?? addressBook.mac(at: client)
        guard let machine = mac.flatMap(snapshot.machine(for:)) ?? snapshot.machine(for: client) else { return }
        let startsInstall = isRendered && machine.state == .install && !snapshot.bootsLocalDisk(machine)
        book.observeServed(
            hostname: machine.hostname, path: path, isConfig: isRendered, startsInstall: startsInstall,
            mac: mac ?? machine.macs.first)
    }
}
