import Inventory

/// Builds reply messages: the header fields RFC 2131 §4.3.1 table 3 prescribes, and the options in the order the
/// client asked for them.
struct DHCPReplyBuilder {
    let request: DHCPMessage
    let subnet: DHCPServedSubnet
    let serverAddress: IPv4Address

    /// The largest reply the client accepts: option 57 less 28 bytes of IP and UDP headers, as dnsmasq reads it,
    /// never below the 548 bytes every client takes, never above 16384 (docs/protocol.md, "Reply size").
    var maximumLength: Int {
        guard let size = request.options.maximumMessageSize else { return DHCPMessage.defaultMaximumLength }
        return max(DHCPMessage.defaultMaximumLength, min(size, DHCPMessage.maximumLength) - 28)
    }

    /// A reply of `type` with the header fields copied from the request, and its client identifier (option 61)
    /// unaltered, as RFC 6842 §3 requires of every reply (docs/protocol.md, "Client identity: chaddr, not client-id").
    func header(_ type: DHCPMessageType) -> DHCPMessage {
        var reply = DHCPMessage(operation: .bootReply, transactionID: request.transactionID)
        reply.hardwareType = request.hardwareType
        reply.hardwareAddressLength = request.hardwareAddressLength
        reply.clientHardwareAddress = request.clientHardwareAddress
        reply.flags = request.flags
        reply.gatewayAddress = request.gatewayAddress
        reply.options.messageType = type
        reply.options.serverIdentifier = serverAddress
        if let clientIdentifier = request.options[.clientIdentifier] {
            reply.options[.clientIdentifier] = clientIdentifier
        }
        return reply
    }

    /// Adds the subnet's network options (1, 3, 6, 15, 28, 12) and the lease times: the ones the client requested
    /// (option 55) in its order first, then mask and router, which every client needs.
    func addNetworkOptions(
        to reply: inout DHCPMessage, leaseTime: Int64?, hostname: String?,
        configuration: DHCPEngineConfiguration
    ) {
        if let leaseTime {
            reply.options.leaseTime = UInt32(clamping: leaseTime)
            reply.options[.renewalTime] = bigEndianBytes(
                UInt32(clamping: Int64(Double(leaseTime) * configuration.renewalFraction)))
            reply.options[.rebindingTime] = bigEndianBytes(
                UInt32(clamping: Int64(Double(leaseTime) * configuration.rebindingFraction)))
        }
        var available: [DHCPOptionCode: [UInt8]] = [
            .subnetMask: subnet.network.netmask.octets,
            .broadcastAddress: subnet.network.broadcastAddress.octets,
        ]
        available[.router] = subnet.router?.octets
        available[.domainNameServers] = subnet.dnsServers.isEmpty ? nil : subnet.dnsServers.flatMap(\.octets)
        available[.domainName] = subnet.domain.map { Array($0.utf8) }
        available[.hostName] = hostname.map { Array($0.utf8) }
        for code in request.options.parameterRequestList where reply.options[code] == nil {
            if let value = available[code] { reply.options[code] = value }
        }
        for code in [DHCPOptionCode.subnetMask, .router] where reply.options[code] == nil {
            if let value = available[code] { reply.options[code] = value }
        }
    }

    /// Adds boot information for a network-boot client: siaddr, `file`, options 66/67 when requested, option 60
    /// (`PXEClient` — iPXE drops offers without it — or `HTTPClient`), option 97 echoed, and option 43 with
    /// sub-option 6 = 8 ("boot from the file given, skip boot-server discovery") unless `pxeDiscoveryControl` is off.
    func addBootInformation(
        to reply: inout DHCPMessage, client: NetworkBootClient, bootFile: String?,
        pxeDiscoveryControl: Bool
    ) {
        reply.serverAddress = subnet.nextServer
        if let bootFile {
            let name = Array(bootFile.utf8)
            if name.count < 128 { reply.bootFileName = name }
            if name.count >= 128 || request.options.parameterRequestList.contains(.bootFileName) {
                reply.options[.bootFileName] = name
            }
        }
        if request.options.parameterRequestList.contains(.tftpServerName) {
            // Dotted quad, no trailing NUL: some ROMs break on a name or a NUL (docs/protocol.md, "next-server and the
            // file field").
            reply.options[.tftpServerName] = Array(subnet.nextServer.description.utf8)
        }
        switch client.kind {
        case .pxe:
            reply.options.vendorClassIdentifier = "PXEClient"
            if pxeDiscoveryControl { reply.options[.vendorSpecific] = [6, 1, 8, 255] }
        case .http:
            reply.options.vendorClassIdentifier = "HTTPClient"
        case .ipxe, .plain:
            break
        }
        if let identifier = request.options[.clientMachineIdentifier] {
            reply.options[.clientMachineIdentifier] = identifier
        }
    }

    /// Option 82 goes back to the relay unchanged, last (RFC 3046 §2.2).
    func echoRelayAgentInformation(into reply: inout DHCPMessage) {
        if let information = request.options[.relayAgentInformation] {
            reply.options[.relayAgentInformation] = information
        }
    }

    /// RFC 2131 §4.1: relay if giaddr is set; NAKs otherwise broadcast; a client with ciaddr gets unicast; the
    /// rest broadcast (see `DHCPDestination.broadcast` for why not unicast to yiaddr).
    func destination(for type: DHCPMessageType) -> DHCPDestination {
        if request.gatewayAddress.rawValue != 0 { return .relay(request.gatewayAddress) }
        if type == .negativeAcknowledgement { return .broadcast }
        if request.clientAddress.rawValue != 0 { return .unicast(request.clientAddress, port: 68) }
        return .broadcast
    }

    func reply(_ message: DHCPMessage) -> DHCPReply {
        var message = message
        echoRelayAgentInformation(into: &message)
        return DHCPReply(
            message: message, destination: destination(for: message.options.messageType ?? .offer),
            maximumLength: maximumLength)
    }
}
