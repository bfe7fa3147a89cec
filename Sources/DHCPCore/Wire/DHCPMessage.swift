import Inventory

/// A DHCP message: the BOOTP header (RFC 951, RFC 2131 §2) and its options.
///
/// `serverName` and `bootFileName` hold the `sname` and `file` fields only when they carry names; when option 52
/// overloads them with options, decoding moves those options into `options` and leaves the fields empty, and
/// encoding fills free fields with options when the main area runs out.
public struct DHCPMessage: Hashable, Sendable {
    public enum Operation: UInt8, Sendable, Hashable {
        case bootRequest = 1
        case bootReply = 2
    }

    /// RFC 2131 §2: the options area starts with 99.130.83.99.
    public static let magicCookie: [UInt8] = [99, 130, 83, 99]
    /// The fixed BOOTP header before the magic cookie.
    public static let headerLength = 236
    /// Largest datagram accepted (dnsmasq's `DHCP_PACKET_MAX`); clients never send more.
    public static let maximumLength = 16384
    /// The message size every client accepts without option 57: 576-byte IP datagram − 28 bytes of IP and UDP
    /// headers (RFC 2131 §2).
    public static let defaultMaximumLength = 548
    /// Replies are padded to the 300-byte BOOTP minimum, which some old PXE ROMs require.
    public static let minimumLength = 300

    public var operation: Operation
    public var hardwareType: UInt8 = 1
    public var hardwareAddressLength: UInt8 = 6
    public var hops: UInt8 = 0
    /// `xid`: chosen by the client, echoed in every reply.
    public var transactionID: UInt32
    public var secondsElapsed: UInt16 = 0
    public var flags: UInt16 = 0
    /// `ciaddr`: set by a client that already has its address (renewing, rebinding, INFORM).
    public var clientAddress = IPv4Address(rawValue: 0)
    /// `yiaddr`: the address the server gives.
    public var yourAddress = IPv4Address(rawValue: 0)
    /// `siaddr`: the next server (TFTP) in a reply.
    public var serverAddress = IPv4Address(rawValue: 0)
    /// `giaddr`: the relay agent's address, or 0 when the client is on the server's own link.
    public var gatewayAddress = IPv4Address(rawValue: 0)
    /// `chaddr`, all 16 bytes as received.
    public var clientHardwareAddress: [UInt8] = Array(repeating: 0, count: 16)
    /// `sname` up to its first NUL (at most 64 bytes).
    public var serverName: [UInt8] = []
    /// `file` up to its first NUL (at most 128 bytes).
    public var bootFileName: [UInt8] = []
    public var options = DHCPOptions()

    public init(operation: Operation, transactionID: UInt32) {
        self.operation = operation
        self.transactionID = transactionID
    }

    /// RFC 2131 §2, figure 2: the leftmost flag bit asks for a broadcast reply.
    public var broadcastFlag: Bool {
        get { flags & 0x8000 != 0 }
        set { flags = newValue ? flags | 0x8000 : flags & ~0x8000 }
    }

    /// The Ethernet MAC in `chaddr`; `nil` unless `htype` is 1 (Ethernet) and `hlen` 6.
    public var clientMAC: MACAddress? {
        get {
            guard hardwareType == 1, hardwareAddressLength == 6 else { return nil }
            return MACAddress(octets: Array(clientHardwareAddress.prefix(6)))
        }
        set {
            hardwareType = 1
            hardwareAddressLength = 6
            clientHardwareAddress = (newValue?.octets ?? []) + Array(repeating: 0, count: 10)
        }
    }
}
