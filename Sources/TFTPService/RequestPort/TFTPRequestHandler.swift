import Inventory
import Logging
import NIOCore
import NIOPosix
import TFTPCore

/// Handles the listening port (69): decodes RRQs, opens the file, and starts each transfer on a new socket bound to the
/// address the RRQ arrived on and an ephemeral port (RFC 1350 §4: a fresh TID per transfer; docs/protocol.md, "Transfer
/// IDs and the reply address": reply from the same local IP), run by one of the server's `TFTPTransferPump`s.
///
/// Errors for a request (file not found, access violation) are sent from a fresh ephemeral-port channel too, so every
/// reply comes from the address the client spoke to. Before anything is opened, `TFTPActiveTransfers` decides whether
/// the RRQ starts a transfer, repeats one already running (dropped), or finds the server full (ERROR 0).
final class TFTPRequestHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    private let configuration: TFTPServerConfiguration
    private let files: TFTPFileProvider
    private let inventory: @Sendable () -> Inventory
    private let transfers: TFTPActiveTransfers
    private let pumps: TFTPTransferPumps
    private let metrics: TFTPMetrics
    private let logger: Logger
    /// The largest UDP payload over IPv4 plus one byte, so a datagram that fills the buffer is known to be whole.
    static let receiveCapacity = 65_536

    init(
        configuration: TFTPServerConfiguration, files: TFTPFileProvider, inventory: @escaping @Sendable () -> Inventory,
        transfers: TFTPActiveTransfers, pumps: TFTPTransferPumps, metrics: TFTPMetrics, logger: Logger
    ) {
        self.metrics = metrics
        self.configuration = configuration
        self.files = files
        self.inventory = inventory
        self.transfers = transfers
        self.pumps = pumps
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        var logger = self.logger
        logger[metadataKey: "ip"] = "\(envelope.remoteAddress.ipAddress ?? "?")"
        var payload = envelope.data
        let packet: TFTPPacket
        do {
            packet = try payload.readTFTPPacket()
        } catch {
            transfers.countMalformedDatagram()
            guard let opcode = envelope.data.getInteger(at: envelope.data.readerIndex, as: UInt16.self),
                opcode == TFTPOpcode.readRequest.rawValue || opcode == TFTPOpcode.writeRequest.rawValue
            else {
                logger.debug("Ignoring undecodable TFTP datagram", metadata: ["error": "\(error)"])
                return
            }
            let refusal = error.requestRefusal
            logger.debug(
                "Refusing undecodable TFTP request",
                metadata: [
                    "error": "\(error)", "bytes": "\(envelope.data.readableBytes)",
                    "reply": "\(TFTPLogText.reply(refusal.code, refusal.message))",
                ])
            reply(.error(code: refusal.code, message: refusal.message), to: envelope, context: context)
            return
        }
        switch packet {
        case .readRequest(let request):
            logger[metadataKey: "file"] = "\(TFTPLogText.printable(request.filename))"
            switch transfers.admit(envelope.remoteAddress) {
            case .start:
                startTransfer(request, envelope: envelope, context: context, logger: logger)
            case .duplicate:
                logger.debug("Ignoring a repeated TFTP request for a running transfer")
            case .busy(let message):
                metrics.requestRefused(.busy)
                logger.notice(
                    "TFTP request refused: too many transfers",
                    metadata: [
                        "max_transfers": "\(configuration.maxTransfers)",
                        "reply": "\(TFTPLogText.reply(.undefined, message))",
                    ])
                reply(.error(code: .undefined, message: message), to: envelope, context: context)
            }
        case .writeRequest(let request):
            metrics.requestRefused(.writeRequest)
            logger.info(
                "Refusing TFTP write request",
                metadata: [
                    "file": "\(TFTPLogText.printable(request.filename))",
                    "reply": "\(TFTPLogText.reply(.accessViolation, "Read-only server"))",
                ])
            reply(.error(code: .accessViolation, message: "Read-only server"), to: envelope, context: context)
        default:
            logger.debug("Ignoring TFTP packet on the request port", metadata: ["opcode": "\(packet.opcode)"])
        }
    }

    private func startTransfer(
        _ request: TFTPRequest, envelope: AddressedEnvelope<ByteBuffer>, context: ChannelHandlerContext,
        logger: Logger
    ) {
        var logger = logger
        if !request.duplicateOptionNames.isEmpty {
            logger.debug("TFTP request repeats options", metadata: ["options": "\(request.duplicateOptionNames)"])
        }
        let opened: TFTPOpenedSource
        do {
            opened = try files.open(request, in: inventory())
        } catch {
            let metadata: Logger.Metadata = [
                "reason": "\(error)", "reply": "\(TFTPLogText.reply(error.errorCode, error.clientMessage))",
            ]
            if error.isExpectedMiss {
                metrics.requestRefused(.configProbe)
                logger.debug("TFTP config probe missed", metadata: metadata)
            } else {
                metrics.requestRefused(code: error.errorCode)
                logger.notice("TFTP request refused", metadata: metadata)
            }
            transfers.finish(envelope.remoteAddress)
            reply(.error(code: error.errorCode, message: error.clientMessage), to: envelope, context: context)
            return
        }
        let mtu =
            configuration.interfaceMTU
            ?? envelope.metadata?.packetInfo.flatMap { TFTPInterfaceMTU.lookup(interfaceIndex: $0.interfaceIndex) }
            ?? TFTPInterfaceMTU.fallback
        let transfer = TFTPReadTransfer(
            request: request, transferSize: opened.source.knownByteCount, interfaceMTU: mtu,
            limits: configuration.limits)
        logger[metadataKey: "file"] = "\(opened.name)"
        logger[metadataKey: "blksize"] = "\(transfer.negotiatedOptions.blockSize)"
        logger[metadataKey: "windowsize"] = "\(transfer.negotiatedOptions.windowSize)"
        let snapshot = inventory()
        let clientAddress = envelope.remoteAddress.ipAddress.flatMap(IPv4Address.init)
        let mac =
            BootConfigFormat.mac(inFileName: opened.name.path)
            ?? clientAddress.flatMap { configuration.addressBook?.mac(at: $0) }
            ?? clientAddress.flatMap { snapshot.machine(for: $0)?.macs.first }
        if let mac {
            logger[metadataKey: "mac"] = "\(mac)"
            if let hostname = snapshot.machine(for: mac)?.hostname { logger[metadataKey: "hostname"] = "\(hostname)" }
        }
        logger.debug(
            "TFTP transfer starting",
            metadata: [
                "rendered": "\(opened.isRendered)",
                "tsize": "\(opened.source.knownByteCount.map(String.init) ?? "unknown (netascii)")",
                "ignored_options": "\(transfer.negotiatedOptions.ignoredOptions)",
            ])
        let client = envelope.remoteAddress
        let transfers = self.transfers
        let localHost = Self.localHost(for: envelope)
        let sockets: TFTPTransferSockets
        do {
            sockets = try TFTPTransferSockets.open(host: localHost, client: client)
        } catch {
            transfers.finish(client)
            logger.error("Cannot open a TFTP transfer socket", metadata: ["error": "\(error)", "host": "\(localHost)"])
            return
        }
        pumps.next().submit(
            TFTPTransferSetup(
                sockets: sockets, transfer: transfer, source: opened.source, client: client, logger: logger,
                completionMessageID: opened.isRendered
                    ? TFTPMessageID.bootConfigServed : TFTPMessageID.transferCompleted,
                countMalformedDatagram: { transfers.countMalformedDatagram() },
                completed: { [observer = configuration.transferCompleted, path = opened.name.path] in
                    if let observer, let clientAddress { observer(path, opened.isRendered, clientAddress, mac) }
                },
                finished: { transfers.finish(client) }, metrics: metrics))
        metrics.transferStarted()
    }

    /// Sends one packet from a fresh ephemeral-port channel and closes it.
    private func reply(_ packet: TFTPPacket, to envelope: AddressedEnvelope<ByteBuffer>, context: ChannelHandlerContext)
    {
        let client = envelope.remoteAddress
        bindReplyChannel(for: envelope, on: context.eventLoop) { channel in
            var buffer = channel.allocator.buffer(capacity: 64)
            buffer.writeTFTPPacket(packet)
            channel.writeAndFlush(AddressedEnvelope(remoteAddress: client, data: buffer)).whenComplete { _ in
                channel.close(promise: nil)
            }
        }
    }

    /// Binds a UDP channel to the RRQ's destination address (or the wildcard when it was a broadcast or unknown)
    /// on an ephemeral port, then runs `configure` on it.
    private func bindReplyChannel(
        for envelope: AddressedEnvelope<ByteBuffer>, on eventLoop: any EventLoop,
        configure: @escaping @Sendable (any Channel) throws -> Void
    ) {
        let localHost = Self.localHost(for: envelope)
        let logger = self.logger
        DatagramBootstrap(group: eventLoop)
            .channelInitializer { channel in
                channel.eventLoop.makeSucceededVoidFuture()
            }
            .bind(host: localHost, port: 0)
            .flatMapThrowing { channel in
                do {
                    try configure(channel)
                } catch {
                    channel.close(promise: nil)
                    throw error
                }
            }
            .whenFailure { error in
                logger.error(
                    "Cannot open a TFTP transfer socket", metadata: ["error": "\(error)", "host": "\(localHost)"])
            }
    }

    private static func localHost(for envelope: AddressedEnvelope<ByteBuffer>) -> String {
        guard let destination = envelope.metadata?.packetInfo?.destinationAddress.ipAddress,
            destination != "255.255.255.255"
        else { return "0.0.0.0" }
        return destination
    }
}
