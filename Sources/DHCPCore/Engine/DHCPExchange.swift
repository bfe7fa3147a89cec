import Inventory

/// What is known about one request before its answer is decided, and how to describe the outcome for the log.
struct RequestContext {
    let request: DHCPMessage
    let inventory: Inventory
    var mac: MACAddress?

    init(request: DHCPMessage, inventory: Inventory) {
        self.request = request
        self.inventory = inventory
    }

    var machine: Machine? { mac.flatMap { inventory.machine(for: $0) } }

    func event(
        _ kind: DHCPEvent.Kind, address: IPv4Address? = nil, bootFile: String? = nil,
        reason: String? = nil
    ) -> DHCPDecision {
        let client = NetworkBootClient(request.options)
        var event = DHCPEvent(
            kind: kind, mac: mac, address: address, transactionID: request.transactionID,
            messageType: request.options.messageType,
            architecture: client.kind == .plain ? nil : client.architectureName,
            hostname: machine?.hostname, profile: machine?.profileFile, bootFile: bootFile, reason: reason)
        if request.gatewayAddress.rawValue != 0 { event.relay = request.gatewayAddress }
        return DHCPDecision(leaseChange: nil, reply: nil, event: event)
    }

    func dropped(_ reason: String) -> DHCPDecision { event(.dropped, reason: reason) }

    func ignored(_ reason: String) -> DHCPDecision { event(.ignored, reason: reason) }

    func rateLimited(_ reason: String, source: String) -> DHCPDecision {
        var decision = event(.rateLimited, reason: reason)
        decision.event.source = source
        return decision
    }
}

/// One request with everything decided about where it belongs; builds the replies that carry an address or boot
/// information.
struct Exchange {
    let context: RequestContext
    let mac: MACAddress
    let type: DHCPMessageType
    let subnet: DHCPServedSubnet
    let arrival: DHCPArrival
    let now: Int64
    let builder: DHCPReplyBuilder

    var request: DHCPMessage { context.request }

    var client: NetworkBootClient { NetworkBootClient(request.options) }

    /// The inventory's host name, else the client's own option 12.
    var hostname: String? {
        context.machine?.hostname ?? request.options[.hostName].map { String(decoding: $0, as: UTF8.self) }
    }

    func bootFile(_ configuration: DHCPEngineConfiguration) -> String? {
        client.bootFile(
            from: configuration.bootFiles, mac: mac, server: subnet.nextServer, inventory: context.inventory)
    }

    /// Why a network-boot client's answer names no boot file, for the log: the firmware then gives up on the
    /// network or tries its next boot option, and the admin should see why.
    func missingBootFileReason(_ file: String?, configuration: DHCPEngineConfiguration) -> String? {
        guard file == nil, client.kind != .plain else { return nil }
        if client.kind == .http, configuration.bootFiles.httpBootURL == nil,
            configuration.bootFiles.httpServicePort == nil
        {
            return "no boot file: UEFI HTTP boot needs the http: section (or boot.files.http_url)"
        }
        return "no boot file configured for \(client.architectureName)"
    }

    /// DHCPOFFER or DHCPACK of `address` with the lease times, the network options and, for network-boot
    /// clients, the boot information.
    func answer(_ type: DHCPMessageType, address: IPv4Address, configuration: DHCPEngineConfiguration) -> DHCPDecision {
        var reply = builder.header(type)
        reply.yourAddress = address
        if type == .acknowledgement { reply.clientAddress = request.clientAddress }
        builder.addNetworkOptions(
            to: &reply, leaseTime: subnet.leaseTime, hostname: context.machine?.hostname,
            configuration: configuration)
        let file = bootFile(configuration)
        // Without a file the reply is a plain one: option 60 or 43 alone would promise a boot that cannot follow.
        if client.kind != .plain, file != nil {
            builder.addBootInformation(to: &reply, client: client, bootFile: file, pxeDiscoveryControl: true)
        }
        var decision = context.event(
            type == .offer ? .offered : .acknowledged, address: address, bootFile: file,
            reason: missingBootFileReason(file, configuration: configuration))
        decision.reply = builder.reply(reply)
        return decision
    }

    /// DHCPINFORM (RFC 2131 §4.3.5): the configuration without an address or lease times.
    func answerInform(_ configuration: DHCPEngineConfiguration) -> DHCPDecision {
        var reply = builder.header(.acknowledgement)
        reply.clientAddress = request.clientAddress
        builder.addNetworkOptions(
            to: &reply, leaseTime: nil, hostname: context.machine?.hostname,
            configuration: configuration)
        let file = bootFile(configuration)
        if client.kind != .plain, file != nil {
            builder.addBootInformation(to: &reply, client: client, bootFile: file, pxeDiscoveryControl: true)
        }
        var decision = context.event(
            .informed, address: request.clientAddress, bootFile: file,
            reason: missingBootFileReason(file, configuration: configuration))
        decision.reply = builder.reply(reply)
        return decision
    }

    /// ProxyDHCP (PXE 2.1 §2.2.2): boot information only, no address, to network-boot clients only. UEFI clients
    /// are sent to the boot server on port 4011 or straight to TFTP, as `proxyEFIStrategy` says.
    func answerProxy(_ configuration: DHCPEngineConfiguration) -> DHCPDecision {
        guard client.kind != .plain else {
            return context.ignored("proxy mode answers network-boot clients only")
        }
        guard type == .discover else {
            return context.ignored("proxy mode: the network's own DHCP server answers \(type)")
        }
        // Only PXE clients do boot-server discovery; an HTTP-boot client takes the URL from this offer.
        let isEFI = client.architecture != 0
        let viaBootServer = client.kind == .pxe && isEFI && subnet.proxyEFIStrategy == .bootServer
        let file = bootFile(configuration)
        // A proxy offer is boot information only: with no file for this client there is nothing to offer.
        if file == nil, !viaBootServer {
            return context.ignored(missingBootFileReason(file, configuration: configuration) ?? "no boot file")
        }
        var reply = builder.header(.offer)
        builder.addBootInformation(to: &reply, client: client, bootFile: file, pxeDiscoveryControl: !viaBootServer)
        // iPXE drops proxy offers without option 60 "PXEClient" (docs/protocol.md, "Proxy DHCP and port 4011").
        if client.kind == .ipxe { reply.options.vendorClassIdentifier = "PXEClient" }
        var decision = context.event(
            .offered, bootFile: file,
            reason: viaBootServer ? "proxy offer; boot server on port 4011" : "proxy offer")
        decision.reply = proxyReply(reply)
        return decision
    }

    /// A request to the PXE boot server on port 4011 (PXE 2.1 §2.2.3): DHCPACK with the boot file, sent back to the
    /// client's own address and port (dnsmasq 2.92 misrouted these to broadcast, docs/protocol.md, "Proxy DHCP and port
    /// 4011").
    func answerBootServerRequest(_ configuration: DHCPEngineConfiguration) -> DHCPDecision {
        guard type == .request || type == .inform, client.kind != .plain else {
            return context.ignored("port 4011 answers PXE DHCPREQUEST and DHCPINFORM only")
        }
        let vendorOptions = PXEVendorOptions(request.options[.vendorSpecific] ?? [])
        if let problem = vendorOptions.problem {
            return context.dropped("option 43: \(problem)")
        }
        let bootItem = vendorOptions.bootItem
        if let bootItem, bootItem.layer & 0x8000 != 0 {
            return context.dropped("PXE boot integrity services (credentials) are not supported")
        }
        if let bootItem, bootItem.layer & 0x7fff != 0 {
            return context.ignored("boot layer \(bootItem.layer & 0x7fff) is not offered; only layer 0")
        }
        var reply = builder.header(.acknowledgement)
        reply.clientAddress = request.clientAddress
        let file = bootFile(configuration)
        builder.addBootInformation(to: &reply, client: client, bootFile: file, pxeDiscoveryControl: false)
        if let bootItem { reply.options[.vendorSpecific] = PXEVendorOptions.encodeBootItem(bootItem) }
        let source = arrival.sourceAddress.rawValue != 0 ? arrival.sourceAddress : request.clientAddress
        // No lease: the address is the client's own (another server's lease), so it is not the event's `address`.
        var decision = context.event(.acknowledged, bootFile: file, reason: "boot server")
        decision.event.clientAddress = source
        var message = reply
        builder.echoRelayAgentInformation(into: &message)
        decision.reply = DHCPReply(
            message: message, destination: .unicast(source, port: arrival.sourcePort),
            maximumLength: builder.maximumLength)
        return decision
    }

    /// Proxy replies to a client without an address are broadcast, with the flag set (dnsmasq and Pixiecore do
    /// the same: the client cannot receive unicast yet).
    private func proxyReply(_ message: DHCPMessage) -> DHCPReply {
        var message = message
        if request.gatewayAddress.rawValue == 0, request.clientAddress.rawValue == 0 { message.broadcastFlag = true }
        return builder.reply(message)
    }
}
