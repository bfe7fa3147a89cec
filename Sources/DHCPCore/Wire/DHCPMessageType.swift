/// Option 53 (RFC 2132 §9.6).
public enum DHCPMessageType: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case discover = 1
    case offer = 2
    case request = 3
    case decline = 4
    case acknowledgement = 5
    case negativeAcknowledgement = 6
    case release = 7
    case inform = 8

    public var description: String {
        switch self {
        case .discover: return "DHCPDISCOVER"
        case .offer: return "DHCPOFFER"
        case .request: return "DHCPREQUEST"
        case .decline: return "DHCPDECLINE"
        case .acknowledgement: return "DHCPACK"
        case .negativeAcknowledgement: return "DHCPNAK"
        case .release: return "DHCPRELEASE"
        case .inform: return "DHCPINFORM"
        }
    }
}
