import Logging
import NIOCore

/// Carries out one `TFTPReadTransfer` on its own ephemeral-port channel (a fresh TID, RFC 1350 §4): feeds it ACKs,
/// ERRORs, stray packets and timer expiries, and performs the actions it returns.
///
/// The event loop's `now` is the only clock, so the handler runs deterministically on an `EmbeddedEventLoop`.
/// DATA bytes are read from the `TFTPFileSource` with pread while a window is written, then flushed once (one
/// `sendmmsg` when vector writes are on).
final class TFTPTransferHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    private var transfer: TFTPReadTransfer
    private var source: any TFTPFileSource
    private let client: SocketAddress
    private let logger: Logger
    private var timer: Scheduled<Void>?
    /// When the scheduled `timer` fires.
    private var timerFiresAt: NIODeadline?
    /// The deadline the transfer asked for last; the timer is re-armed lazily towards it (see `arm`).
    private var requestedDeadline: NIODeadline?
    private var context: ChannelHandlerContext?

    /// The journal `MESSAGE_ID` of a completed transfer: boot config served, or transfer completed.
    private let completionMessageID: String
    /// Counts a datagram that did not decode (the server's counter).
    private let countMalformedDatagram: () -> Void

    init(transfer: TFTPReadTransfer, source: any TFTPFileSource, client: SocketAddress, logger: Logger,
         completionMessageID: String = TFTPMessageID.transferCompleted,
         countMalformedDatagram: @escaping () -> Void = {}) {
        self.completionMessageID = completionMessageID
        self.countMalformedDatagram = countMalformedDatagram
        self.transfer = transfer
        self.source = source
        self.client = client
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive { start(context: context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancelTimer()
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context: context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        let now = context.eventLoop.now
        guard envelope.remoteAddress == client else {
            perform(transfer.receivedPacketFromUnknownTransferID(), context: context, strayPeer: envelope.remoteAddress)
            return
        }
        var payload = envelope.data
        do {
            switch try payload.readTFTPPacket() {
            case .acknowledgement(let block):
                perform(transfer.receivedAcknowledgement(block: block, now: now), context: context)
            case .error(let code, let message):
                perform(transfer.receivedError(code: code, message: message, now: now), context: context)
            case let other:
                // dnsmasq ignores these too: a repeated RRQ belongs to the listening port, DATA/OACK to no reader.
                logger.debug("Ignoring unexpected TFTP packet", metadata: ["opcode": "\(other.opcode)"])
            }
        } catch {
            countMalformedDatagram()
            logger.debug("Ignoring undecodable TFTP datagram", metadata: ["error": "\(error)"])
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // ICMP errors and the like: the retransmission timer decides whether the transfer survives.
        logger.debug("TFTP transfer socket error", metadata: ["error": "\(error)"])
    }

    private func start(context: ChannelHandlerContext) {
        perform(transfer.start(now: context.eventLoop.now), context: context)
    }

    private func timerFired() {
        guard let context else { return }
        timer = nil
        timerFiresAt = nil
        guard let deadline = requestedDeadline else { return }
        let now = context.eventLoop.now
        guard now >= deadline else {
            schedule(at: deadline, context: context)  // progress moved the deadline since this timer was armed
            return
        }
        requestedDeadline = nil
        perform(transfer.timerFired(now: now), context: context)
    }

    /// Every acknowledged window pushes the retransmission deadline later. Cancelling and rescheduling a NIO task
    /// per ACK costs an allocation and a linear search of the loop's timer heap (one entry per running transfer),
    /// which a lock-step boot storm pays tens of thousands of times a second; so an existing timer is left to fire
    /// and re-armed then for the later deadline. Only a deadline earlier than the armed one reschedules at once.
    private func arm(_ deadline: NIODeadline, context: ChannelHandlerContext) {
        requestedDeadline = deadline
        if let firesAt = timerFiresAt, firesAt <= deadline { return }
        timer?.cancel()
        schedule(at: deadline, context: context)
    }

    private func schedule(at deadline: NIODeadline, context: ChannelHandlerContext) {
        timerFiresAt = deadline
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [self] in timerFired() }
    }

    private func cancelTimer() {
        timer?.cancel()
        timer = nil
        timerFiresAt = nil
        requestedDeadline = nil
    }

    private func perform(
        _ actions: [TFTPTransferAction], context: ChannelHandlerContext, strayPeer: SocketAddress? = nil
    ) {
        for action in actions {
            switch action {
            case .sendOptionAcknowledgement(let options):
                send(.optionAcknowledgement(options), to: client, context: context)
            case .sendData(let blocks):
                guard sendData(blocks, context: context) else { return }
            case .sendError(let code, let message):
                send(.error(code: code, message: message), to: client, context: context)
            case .replyToStrayPeer(let code, let message):
                if let strayPeer { send(.error(code: code, message: message), to: strayPeer, context: context) }
            case .armTimer(let deadline):
                arm(deadline, context: context)
            case .finish(let outcome, let statistics):
                cancelTimer()
                log(outcome, statistics)
                context.close(promise: nil)
            }
        }
    }

    /// Writes a window of DATA and flushes once; on a read error hands the failure back to the machine.
    private func sendData(_ blocks: [TFTPDataBlock], context: ChannelHandlerContext) -> Bool {
        for block in blocks {
            var buffer = context.channel.allocator.buffer(capacity: 4 + block.length)
            buffer.writeInteger(TFTPOpcode.data.rawValue)
            buffer.writeInteger(block.blockNumber)
            do {
                try source.read(at: block.offset, length: block.length, into: &buffer)
            } catch {
                context.flush()
                perform(transfer.sourceReadFailed(reason: "\(error)", now: context.eventLoop.now), context: context)
                return false
            }
            context.write(wrapOutboundOut(AddressedEnvelope(remoteAddress: client, data: buffer)), promise: nil)
        }
        context.flush()
        return true
    }

    private func send(_ packet: TFTPPacket, to peer: SocketAddress, context: ChannelHandlerContext) {
        var buffer = context.channel.allocator.buffer(capacity: 64)
        buffer.writeTFTPPacket(packet)
        context.writeAndFlush(wrapOutboundOut(AddressedEnvelope(remoteAddress: peer, data: buffer)), promise: nil)
    }

    private func log(_ outcome: TFTPTransferOutcome, _ statistics: TFTPTransferStatistics) {
        var metadata: Logger.Metadata = [
            "bytes": "\(statistics.bytesAcknowledged)",
            "blocks": "\(statistics.blocksAcknowledged)",
            "retransmits": "\(statistics.retransmittedPackets)",
            "duration_ms": "\(statistics.duration.nanoseconds / 1_000_000)",
        ]
        switch outcome {
        case .completed(let acknowledged):
            metadata["final_ack"] = "\(acknowledged)"
            metadata["message_id"] = "\(completionMessageID)"
            logger.info("TFTP transfer complete", metadata: metadata)
        case .clientDeclinedOptions(let message):
            metadata["client_message"] = "\(TFTPLogText.printable(message))"
            logger.info("TFTP client declined the options (UEFI size probe)", metadata: metadata)
        case .abandonedByClient(let code, let message):
            metadata["tftp_error"] = "\(code.rawValue)"
            metadata["client_message"] = "\(TFTPLogText.printable(message))"
            logger.info("TFTP client ended the transfer", metadata: metadata)
        case .failed(let failure):
            metadata["reason"] = "\(failure)"
            metadata["message_id"] = "\(TFTPMessageID.transferFailed)"
            logger.warning("TFTP transfer failed", metadata: metadata)
        }
    }
}
