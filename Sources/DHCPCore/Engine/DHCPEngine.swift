import Inventory

/// Every DHCP decision, as a pure function of the request, where it arrived, the inventory, the leases and the
/// time: no sockets, no clock, no files. The server adapter carries out the `DHCPDecision` it returns.
///
/// Machines are recognised by chaddr, never by client-id. Addresses: a machine's reservation (its profile's fixed
/// IP in the subnet), else its current lease, else its previous address if free (a released or expired lease,
/// remembered across restarts), else the address it asks for if free and not remembered for another client, else
/// the next pool address that nobody holds or remembers after the one found last (wrapping around), else the
/// address remembered longest for another client (docs/configuration.md, "Pool addresses"). An offer holds its
/// address for `offerHoldTime` so no two clients get the same one.
///
/// With a lease store that several appliances share, the table is this appliance's view of the store and can be
/// behind it: the store refuses a change on an address another appliance gave out, the adapter hands back what the
/// store holds there (`learn`), and the engine decides the same request again (`handle(…, retrying: true)`).
///
/// Before any of that, each request is charged to its client's and its relay's rate limit (`DHCPRateLimiter`);
/// over either, it is dropped unanswered.
public struct DHCPEngine: Sendable {
    public var configuration: DHCPEngineConfiguration
    public private(set) var leases: LeaseTable
    public private(set) var rateLimiter: DHCPRateLimiter
    /// Per subnet, where the search for a pool address that nobody holds or remembers stands.
    private var poolCursors: [IPv4Network: PoolCursor] = [:]

    public init(configuration: DHCPEngineConfiguration, leases: LeaseTable = LeaseTable()) {
        self.configuration = configuration
        self.leases = leases
        rateLimiter = DHCPRateLimiter(trackedClients: configuration.rateLimitTrackedClients)
    }

    /// `now` is wall-clock seconds (leases outlive the process); `monotonic` is the rate limiter's time, any
    /// steadily increasing `Duration` (it defaults to `now`, which is enough where nothing is rate-limited).
    /// `retrying`: the same request decided again after learning from a shared store; it was charged to the rate
    /// limits the first time.
    public mutating func handle(
        _ request: DHCPMessage, arrival: DHCPArrival, inventory: Inventory,
        now: Int64, monotonic: Duration? = nil, retrying: Bool = false
    ) -> DHCPDecision {
        var context = RequestContext(request: request, inventory: inventory)
        guard request.operation == .bootRequest else { return context.dropped("not a BOOTREQUEST") }
        guard let mac = request.clientMAC, !mac.isZero, !mac.isMulticast else {
            return context.dropped(
                "chaddr is not an Ethernet MAC (htype \(request.hardwareType), "
                    + "hlen \(request.hardwareAddressLength))")
        }
        context.mac = mac
        guard let type = request.options.messageType else { return context.dropped("no DHCP message type") }
        if let problem = request.options.relayAgentInformationProblem {
            return context.dropped(problem)
        }
        guard let subnet = selectSubnet(for: request, arrival: arrival) else {
            return context.ignored(
                "no configured subnet for this request (interface \(arrival.interface ?? "?"), "
                    + "giaddr \(request.gatewayAddress))")
        }
        let path: DHCPRequestPath =
            request.gatewayAddress.rawValue != 0
            ? .relay(request.gatewayAddress) : .link(arrival.interface ?? "\(arrival.serverAddress)")
        switch retrying
            ? .admitted
            : rateLimiter.admit(
                mac: mac, path: path, isKnownMachine: context.machine != nil,
                limits: subnet.rateLimits, at: monotonic ?? .seconds(now))
        {
        case .admitted:
            break
        case .overMACLimit(let limit):
            return context.rateLimited("over the per-MAC limit (\(limit))", source: "mac \(mac)")
        case .overRelayLimit(let path, let limit):
            return context.rateLimited("over the per-relay limit of \(path) (\(limit))", source: "\(path)")
        }
        let exchange = Exchange(
            context: context, mac: mac, type: type, subnet: subnet, arrival: arrival, now: now,
            builder: DHCPReplyBuilder(request: request, subnet: subnet, serverAddress: arrival.serverAddress))
        if arrival.isBootServerPort { return exchange.answerBootServerRequest(configuration) }
        if subnet.mode == .proxy { return exchange.answerProxy(configuration) }
        switch type {
        case .discover: return offer(exchange)
        case .request: return answerRequest(exchange)
        case .decline: return decline(exchange)
        case .release: return release(exchange)
        case .inform: return exchange.answerInform(configuration)
        case .offer, .acknowledgement, .negativeAcknowledgement:
            return exchange.context.dropped("\(type) sent to a server")
        }
    }

    /// Frees expired leases and quarantines; returns what was removed (the adapter deletes them from the store).
    public mutating func removeExpiredLeases(at now: Int64) -> [Lease] {
        leases.removeExpired(at: now)
    }

    /// Forgets a decision whose lease change the store refused: the client got no reply, so the table goes back to
    /// what is stored (see `LeaseRollback`).
    public mutating func rollBack(_ rollback: LeaseRollback) {
        leases.rollBack(rollback)
    }

    /// Takes what a shared store holds on a range of addresses as the truth about them (`LeaseTable.learn`).
    public mutating func learn(_ stored: StoredLeases) {
        leases.learn(stored)
    }

    /// giaddr picks a relayed subnet; otherwise the arrival interface's subnet (the one holding ciaddr if several).
    func selectSubnet(for request: DHCPMessage, arrival: DHCPArrival) -> DHCPServedSubnet? {
        if request.gatewayAddress.rawValue != 0 {
            return configuration.subnets.first { $0.network.contains(request.gatewayAddress) }
        }
        let onInterface = configuration.subnets.filter { $0.interface != nil && $0.interface == arrival.interface }
        if request.clientAddress.rawValue != 0,
            let match = onInterface.first(where: { $0.network.contains(request.clientAddress) })
        {
            return match
        }
        return onInterface.first ?? configuration.subnets.first { $0.network.contains(arrival.serverAddress) }
    }

    // MARK: - Server mode

    private mutating func offer(_ exchange: Exchange) -> DHCPDecision {
        let mac = exchange.mac
        guard let address = chooseAddress(exchange) else {
            if let fixed = reservation(exchange) {
                var decision = exchange.context.ignored("its fixed IP \(fixed) is held by another client")
                decision.restsOnHolderOf = fixed
                return decision
            }
            guard !exchange.subnet.pools.isEmpty else {
                return exchange.context.ignored("no fixed IP in \(exchange.subnet.network) and no pool")
            }
            var decision = exchange.context.event(
                .poolExhausted,
                reason: "no free address in the pools of \(exchange.subnet.network)")
            decision.event.source = "pool \(exchange.subnet.network)"
            return decision
        }
        var decision = exchange.answer(.offer, address: address, configuration: configuration)
        if leases.lease(for: mac, at: exchange.now)?.address != address
            || leases.lease(for: mac, at: exchange.now)?.state != .bound
        {
            let hold = Lease(
                address: address, mac: mac, state: .offered,
                expiry: exchange.now + configuration.offerHoldTime,
                clientIdentifier: exchange.request.options.clientIdentifier,
                hostname: exchange.hostname)
            decision.rollback = leases.record(hold)
            decision.leaseChange = .hold(hold)
        }
        return decision
    }

    /// RFC 2131 §4.3.2: SELECTING (option 54), INIT-REBOOT (option 50, no ciaddr), RENEWING/REBINDING (ciaddr).
    private mutating func answerRequest(_ exchange: Exchange) -> DHCPDecision {
        let options = exchange.request.options
        let ciaddr = exchange.request.clientAddress
        if let chosen = options.serverIdentifier {
            guard chosen == exchange.arrival.serverAddress else {
                var decision = exchange.context.ignored("the client chose server \(chosen)")
                if let held = leases.lease(for: exchange.mac, at: exchange.now), held.state == .offered {
                    leases.release(held.address, by: exchange.mac, at: exchange.now)
                    // Nothing to undo if a shared store refuses: its hold then simply runs out.
                    decision.leaseChange = .releaseHold(held)
                }
                return decision
            }
            guard let requested = options.requestedAddress ?? (ciaddr.rawValue != 0 ? ciaddr : nil) else {
                return nak(exchange, "a DHCPREQUEST in SELECTING state without a requested address")
            }
            return acknowledge(requested, exchange)
        }
        if let requested = options.requestedAddress, ciaddr.rawValue == 0 {
            guard exchange.subnet.network.contains(requested) else {
                return nak(exchange, "\(requested) is not on \(exchange.subnet.network)")
            }
            return acknowledge(requested, exchange)
        }
        guard ciaddr.rawValue != 0 else {
            return exchange.context.dropped("DHCPREQUEST with neither a requested address nor ciaddr")
        }
        return acknowledge(ciaddr, exchange)
    }

    private mutating func acknowledge(_ address: IPv4Address, _ exchange: Exchange) -> DHCPDecision {
        if let problem = placementProblem(of: address, exchange) {
            return configuration.authoritative ? nak(exchange, problem) : exchange.context.ignored(problem)
        }
        guard leases.isAvailable(address, for: exchange.mac, at: exchange.now) else {
            let problem = "\(address) is in use by another client"
            var decision = configuration.authoritative ? nak(exchange, problem) : exchange.context.ignored(problem)
            decision.restsOnHolderOf = address
            return decision
        }
        let lease = Lease(
            address: address, mac: exchange.mac, state: .bound,
            expiry: exchange.now + exchange.subnet.leaseTime,
            clientIdentifier: exchange.request.options.clientIdentifier, hostname: exchange.hostname)
        let rollback = leases.record(lease)
        var decision = exchange.answer(.acknowledgement, address: address, configuration: configuration)
        decision.leaseChange = .bind(lease)
        decision.rollback = rollback
        return decision
    }

    /// A NAK through a relay carries the broadcast flag, so the relay broadcasts it on the client's segment: the
    /// client's address is the one being refused (RFC 2131 §4.3.2; docs/protocol.md, "Authoritative NAK").
    private func nak(_ exchange: Exchange, _ reason: String) -> DHCPDecision {
        var reply = exchange.builder.header(.negativeAcknowledgement)
        reply.options[.message] = Array(reason.utf8)
        if exchange.request.gatewayAddress.rawValue != 0 { reply.broadcastFlag = true }
        var decision = exchange.context.event(.negativelyAcknowledged, reason: reason)
        decision.reply = exchange.builder.reply(reply)
        return decision
    }

    private mutating func decline(_ exchange: Exchange) -> DHCPDecision {
        guard let address = exchange.request.options.requestedAddress,
            let held = leases.lease(on: address, at: exchange.now), held.mac == exchange.mac
        else { return exchange.context.ignored("DHCPDECLINE for an address this client does not hold") }
        var quarantined = held
        quarantined.state = .quarantined
        quarantined.expiry = exchange.now + configuration.declineQuarantineTime
        let rollback = leases.record(quarantined)
        var decision = exchange.context.event(
            .declined, address: address,
            reason: "another host answers on \(address); kept out of use for \(configuration.declineQuarantineTime) s")
        decision.leaseChange = .quarantine(quarantined)
        decision.rollback = rollback
        return decision
    }

    private mutating func release(_ exchange: Exchange) -> DHCPDecision {
        let address = exchange.request.clientAddress
        guard let held = leases.lease(on: address, at: exchange.now), held.mac == exchange.mac,
            held.state == .bound
        else { return exchange.context.ignored("DHCPRELEASE of \(address), which this client does not hold") }
        let rollback = leases.release(address, by: exchange.mac, at: exchange.now)
        var decision = exchange.context.event(.released, address: address)
        // The lease ends now: the store remembers the address as the client's previous one from this time.
        var ended = held
        ended.expiry = exchange.now
        decision.leaseChange = .release(ended)
        decision.rollback = rollback
        return decision
    }

    // MARK: - Addresses

    /// The machine's fixed IP when it lies in this subnet.
    private func reservation(_ exchange: Exchange) -> IPv4Address? {
        guard let ip = exchange.context.machine?.ip, exchange.subnet.network.contains(ip) else { return nil }
        return ip
    }

    /// Whether `address` is kept for a machine other than `mac`.
    private static func isReservedForAnother(_ address: IPv4Address, _ exchange: Exchange) -> Bool {
        guard let owner = exchange.context.inventory.machine(for: address) else { return false }
        return !owner.macs.contains(exchange.mac)
    }

    private mutating func chooseAddress(_ exchange: Exchange) -> IPv4Address? {
        let mac = exchange.mac
        let now = exchange.now
        let subnet = exchange.subnet
        if let fixed = reservation(exchange) {
            return leases.isAvailable(fixed, for: mac, at: now) ? fixed : nil
        }
        let inPool = { (address: IPv4Address) in
            subnet.pools.contains { $0.contains(address) } && !Self.isReservedForAnother(address, exchange)
        }
        if let current = leases.lease(for: mac, at: now)?.address, inPool(current) { return current }
        if let previous = leases.previousAddress(of: mac, at: now), inPool(previous) { return previous }
        if let requested = exchange.request.options.requestedAddress, inPool(requested),
            leases.isAvailable(requested, for: mac, at: now), leases.isUnremembered(requested, at: now)
        {
            return requested
        }
        var cursor =
            poolCursors[subnet.network] ?? PoolCursor(starting: configuration.poolSearchStart, in: subnet.pools)
        defer { poolCursors[subnet.network] = cursor }
        if !cursor.isKnownExhausted(generation: leases.freedGeneration, now: now) {
            if let fresh = leases.firstAvailable(
                in: subnet.pools, startingAt: cursor.next, for: mac, at: now,
                isReserved: { Self.isReservedForAnother($0, exchange) })
            {
                cursor.next = fresh.rawValue == UInt32.max ? nil : IPv4Address(rawValue: fresh.rawValue + 1)
                return fresh
            }
            cursor.exhaustedAt = (leases.freedGeneration, now)
        }
        return leases.oldestRemembered(in: subnet.pools, for: mac, at: now) {
            Self.isReservedForAnother($0, exchange)
        }
    }

    /// Why `address` cannot be acknowledged to this client whoever holds it (its subnet, pool or reservation), or
    /// `nil` when it can if free. A free pool address the server has no record of is granted: after a lost lease
    /// database the client keeps its address.
    private func placementProblem(of address: IPv4Address, _ exchange: Exchange) -> String? {
        guard exchange.subnet.network.contains(address) else {
            return "\(address) is not on \(exchange.subnet.network)"
        }
        if let fixed = reservation(exchange) {
            guard address == fixed else { return "\(address) is not this machine's address \(fixed)" }
        } else if !exchange.subnet.pools.contains(where: { $0.contains(address) }) {
            return "\(address) is not in a pool of \(exchange.subnet.network)"
        } else if Self.isReservedForAnother(address, exchange) {
            return "\(address) is reserved for another machine"
        }
        return nil
    }
}
