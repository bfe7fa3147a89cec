/// A DHCP option code (RFC 2132 and the PXE / relay extensions Rackboot speaks).
public struct DHCPOptionCode: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: UInt8

    public init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    public init(_ rawValue: UInt8) {
        self.rawValue = rawValue
    }

    /// RFC 2132 §3.1: a one-byte filler with no length.
    public static let pad = DHCPOptionCode(0)
    public static let subnetMask = DHCPOptionCode(1)
    public static let router = DHCPOptionCode(3)
    public static let domainNameServers = DHCPOptionCode(6)
    public static let hostName = DHCPOptionCode(12)
    public static let domainName = DHCPOptionCode(15)
    public static let broadcastAddress = DHCPOptionCode(28)
    public static let ntpServers = DHCPOptionCode(42)
    /// PXE sub-options when option 60 is `PXEClient` (PXE 2.1 §2.4).
    public static let vendorSpecific = DHCPOptionCode(43)
    public static let requestedAddress = DHCPOptionCode(50)
    public static let leaseTime = DHCPOptionCode(51)
    /// RFC 2132 §9.3: more options in the `file` and/or `sname` fields.
    public static let overload = DHCPOptionCode(52)
    public static let messageType = DHCPOptionCode(53)
    public static let serverIdentifier = DHCPOptionCode(54)
    public static let parameterRequestList = DHCPOptionCode(55)
    public static let message = DHCPOptionCode(56)
    public static let maximumMessageSize = DHCPOptionCode(57)
    public static let renewalTime = DHCPOptionCode(58)
    public static let rebindingTime = DHCPOptionCode(59)
    public static let vendorClassIdentifier = DHCPOptionCode(60)
    public static let clientIdentifier = DHCPOptionCode(61)
    public static let tftpServerName = DHCPOptionCode(66)
    public static let bootFileName = DHCPOptionCode(67)
    /// RFC 3004; iPXE sends the plain text `iPXE`.
    public static let userClass = DHCPOptionCode(77)
    /// RFC 3046: set by relays, echoed back unchanged.
    public static let relayAgentInformation = DHCPOptionCode(82)
    /// RFC 4578 §2.1: client system architecture.
    public static let clientArchitecture = DHCPOptionCode(93)
    /// RFC 4578 §2.2: client network interface identifier (UNDI version).
    public static let clientNetworkInterface = DHCPOptionCode(94)
    /// RFC 4578 §2.3: client machine identifier (UUID/GUID), echoed in PXE replies.
    public static let clientMachineIdentifier = DHCPOptionCode(97)
    /// iPXE's encapsulated options; its presence means the client is iPXE.
    public static let ipxeEncapsulated = DHCPOptionCode(175)
    /// pxelinux (RFC 5071): config file, path prefix, reboot time.
    public static let pxelinuxConfigFile = DHCPOptionCode(209)
    public static let pxelinuxPathPrefix = DHCPOptionCode(210)
    public static let pxelinuxRebootTime = DHCPOptionCode(211)
    /// RFC 2132 §3.2: ends the options.
    public static let end = DHCPOptionCode(255)

    public var description: String { "option \(rawValue)" }

    public static func < (lhs: DHCPOptionCode, rhs: DHCPOptionCode) -> Bool { lhs.rawValue < rhs.rawValue }
}
