import DHCPCore
import Inventory
import Logging
import NIOCore

/// The pipeline handler of one DHCP socket: hands datagrams to the core and writes its replies out of the same
/// socket (pinned to the interface, so broadcasts leave through it).
final class DHCPChannelHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    private let core: DHCPServerCore
    private let interface: String
    private let serverAddress: IPv4Address
    private let isBootServerPort: Bool
    private let clientPort: Int
    private let logger: Logger

    init(
        core: DHCPServerCore, interface: String, serverAddress: IPv4Address, isBootServerPort: Bool, clientPort: Int,
        logger: Logger
    ) {
        self.core = core
        self.interface = interface
        self.serverAddress = serverAddress
        self.isBootServerPort = isBootServerPort
        self.clientPort = clientPort
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        let source = envelope.remoteAddress.ipAddress.flatMap(IPv4Address.init) ?? IPv4Address(rawValue: 0)
        let arrival = DHCPArrival(
            interface: interface, serverAddress: serverAddress, sourceAddress: source,
            sourcePort: envelope.remoteAddress.port ?? 68, isBootServerPort: isBootServerPort)
        let channel = context.channel
        let clientPort = clientPort
        let logger = logger
        core.receive(envelope.data, arrival: arrival) { reply in
            do {
                var buffer = channel.allocator.buffer(capacity: reply.maximumLength)
                try buffer.writeDHCPMessage(reply.message, maximumLength: reply.maximumLength)
                let address = try Self.socketAddress(reply.destination, clientPort: clientPort)
                channel.writeAndFlush(AddressedEnvelope(remoteAddress: address, data: buffer), promise: nil)
            } catch {
                logger.error("cannot send a DHCP reply", metadata: ["reason": "\(error)"])
            }
        }
    }

    static func socketAddress(_ destination: DHCPDestination, clientPort: Int) throws -> SocketAddress {
        switch destination {
        case .relay(let address): return try SocketAddress(ipAddress: address.description, port: clientPort - 1)
        case .unicast(let address, let port):
            return try SocketAddress(ipAddress: address.description, port: port == 68 ? clientPort : port)
        case .broadcast: return try SocketAddress(ipAddress: "255.255.255.255", port: clientPort)
        }
    }
}
