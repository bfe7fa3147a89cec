import Inventory
import NIOCore
import TFTPCore

/// What the TFTP server adapter needs from the appliance's configuration.
public struct TFTPServerConfiguration: Sendable {
    /// Where RRQs arrive: usually `0.0.0.0:69`.
    public var bindAddress: SocketAddress
    /// The jailed root for files the inventory does not render; `nil` serves rendered files only.
    public var rootPath: String?
    /// Negotiation caps and retransmission policy.
    public var limits: TFTPTransferLimits
    /// MTU used for the blksize clamp. `nil`: read it per request from `/sys/class/net/<interface>/mtu` for the
    /// interface the RRQ arrived on, falling back to 1500 (docs/protocol.md, "blksize and the MTU").
    public var interfaceMTU: Int?
    /// Concurrent transfers (`tftp.max_transfers`); past it an RRQ gets ERROR 0 "Server busy" at once, so a boot
    /// storm degrades into client retries instead of unbounded memory and descriptors.
    public var maxTransfers: Int
    /// Threads that run transfers (`TFTPTransferPump`); `nil`: one per core.
    public var transferThreads: Int?
    /// How those threads wait (`tftp.transfer_io`).
    public var transferIO: TFTPTransferIO = .automatic
    /// How long a thread with a lone transfer polls for the next datagram before it sleeps (`tftp.busy_poll_us`,
    /// `TFTPBusyPoll`); 0: never.
    public var busyPollMicroseconds = 200
    /// Which MAC holds a client's address (filled by DHCP), so a transfer's log names the machine.
    public var addressBook: ClientAddressBook?
    /// Told of every transfer that reached its end: the file's path, whether it was rendered, the client's address
    /// and MAC when known (the machine lifecycle's "last boot file" and "install started").
    public var transferCompleted: (@Sendable (String, Bool, IPv4Address, MACAddress?) -> Void)?

    public init(
        bindAddress: SocketAddress, rootPath: String?, limits: TFTPTransferLimits = .init(), interfaceMTU: Int? = nil,
        maxTransfers: Int = 1000
    ) {
        self.bindAddress = bindAddress
        self.rootPath = rootPath
        self.limits = limits
        self.interfaceMTU = interfaceMTU
        self.maxTransfers = maxTransfers
    }
}
