import DHCPCore
import Inventory
import NIOCore

#if canImport(Glibc)
    import Glibc
#endif

/// The interface facts a DHCP channel needs: its address (the server identifier) and how to pin a socket to it.
enum InterfaceBinding {
    /// The interface's IPv4 address, preferring one inside `subnets`.
    static func address(of interface: String, preferringIn subnets: [IPv4Network]) throws -> IPv4Address {
        let devices = try System.enumerateDevices().filter { $0.name == interface }
        guard !devices.isEmpty else { throw DHCPServerError.noSuchInterface(interface) }
        let addresses = devices.compactMap { device in
            device.address.flatMap { $0.ipAddress }.flatMap(IPv4Address.init)
        }
        guard let first = addresses.first else { throw DHCPServerError.interfaceHasNoAddress(interface) }
        return addresses.first { address in subnets.contains { $0.contains(address) } } ?? first
    }

    /// `SO_BINDTODEVICE`: only packets arriving on `interface` reach the socket, and broadcasts leave through it
    /// (NIO cannot send with `IP_PKTINFO`, so one pinned socket per interface is how replies pick their interface).
    static func pin(_ channel: any Channel, to interface: String) -> EventLoopFuture<Void> {
        guard let provider = channel as? any SocketOptionProvider else {
            return channel.eventLoop.makeFailedFuture(DHCPServerError.cannotPinSocket(interface))
        }
        var name: InterfaceName = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &name) { buffer in
            for (index, byte) in interface.utf8.prefix(15).enumerated() { buffer[index] = byte }
        }
        let pinned = name
        return provider.unsafeSetSocketOption(
            level: SocketOptionLevel(SOL_SOCKET),
            name: SocketOptionName(SO_BINDTODEVICE), value: pinned)
    }

    /// `IFNAMSIZ` bytes, NUL-padded, as `SO_BINDTODEVICE` reads them.
    typealias InterfaceName = (
        UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8
    )
}

/// Why the DHCP server cannot start.
public enum DHCPServerError: Error, CustomStringConvertible {
    case noSuchInterface(String)
    case interfaceHasNoAddress(String)
    case cannotPinSocket(String)

    public var description: String {
        switch self {
        case .noSuchInterface(let name):
            return "interface \(name), named by dhcp.subnets, does not exist (or is down with no address)"
        case .interfaceHasNoAddress(let name):
            return "interface \(name), named by dhcp.subnets, has no IPv4 address to answer from"
        case .cannotPinSocket(let name): return "cannot bind a socket to interface \(name)"
        }
    }
}
