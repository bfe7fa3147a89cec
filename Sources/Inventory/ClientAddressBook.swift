import Synchronization

/// Which MAC holds which address right now, as DHCP last acknowledged it. TFTP sees only a client's IP; this lets
/// its log name the machine (`MAC=` in the journal), so `journalctl MAC=…` follows one machine through its boot.
public final class ClientAddressBook: Sendable {
    private let entries = Mutex<[IPv4Address: MACAddress]>([:])
    private let acknowledged: (@Sendable (MACAddress, IPv4Address) -> Void)?

    /// `acknowledged` is told of every address DHCP acknowledges (the machine lifecycle's "last DHCP").
    public init(acknowledged: (@Sendable (MACAddress, IPv4Address) -> Void)? = nil) {
        self.acknowledged = acknowledged
    }

    /// DHCP acknowledged `address` to `mac` just now.
    public func acknowledge(_ mac: MACAddress, at address: IPv4Address) {
        record(mac, at: address)
        acknowledged?(mac, address)
    }

    public func record(_ mac: MACAddress, at address: IPv4Address) {
        entries.withLock { $0[address] = mac }
    }

    public func forget(_ address: IPv4Address) {
        entries.withLock { $0[address] = nil }
    }

    public func mac(at address: IPv4Address) -> MACAddress? {
        entries.withLock { $0[address] }
    }
}
