import CTFTPSocket
import Logging
import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Carries out one `TFTPReadTransfer` on its own ephemeral-port sockets (a fresh TID, RFC 1350 §4): feeds it ACKs,
/// ERRORs, stray packets and timer expiries, and performs the actions it returns. Lives on one pump's thread.
///
/// The client's datagrams arrive on the connected transfer socket, every other sender's on the stray socket
/// (`TFTPTransferSockets`). DATA bytes are read from the `TFTPFileSource` with pread into the pump's send buffer
/// after a 4-byte header; lock-step DATA leaves with one `send`, a window with one UDP GSO send (`sendmmsg` where
/// the kernel refuses GSO).
final class TFTPTransferSession {
    let sockets: TFTPTransferSockets
    /// The connected socket's descriptor, which names the transfer in the deadline heap.
    var descriptor: CInt { sockets.transfer }
    let serial: UInt64
    private var transfer: TFTPReadTransfer
    private var source: any TFTPFileSource
    private let client: TFTPPeerAddress
    private let logger: Logger
    private let completionMessageID: String
    private let countMalformedDatagram: @Sendable () -> Void
    let finished: @Sendable () -> Void
    /// When the heap entry for this transfer comes up.
    private(set) var timerFiresAt: NIODeadline?
    /// The deadline the transfer asked for last; the heap entry is re-armed lazily towards it (see `arm`).
    private var requestedDeadline: NIODeadline?
    /// Set by the `.finish` action; the pump then closes the sockets and forgets the session.
    private(set) var isFinished = false
    /// Whether this socket's windows still try UDP GSO.
    private var sendState = ctftp_send_state()

    init(_ setup: TFTPTransferSetup, serial: UInt64) {
        sockets = setup.sockets
        self.serial = serial
        transfer = setup.transfer
        // Files are read ahead in chunks (one pread per 22 lock-step blocks); rendered configs already are bytes.
        source = setup.source is TFTPInMemoryFile ? setup.source : TFTPReadAheadSource(setup.source)
        client = TFTPPeerAddress(setup.client)
        logger = setup.logger
        completionMessageID = setup.completionMessageID
        countMalformedDatagram = setup.countMalformedDatagram
        finished = setup.finished
    }

    func start(now: NIODeadline, scratch: TFTPTransferPumpScratch) {
        perform(transfer.start(now: now), now: now, scratch: scratch)
    }

    /// Reads one datagram queued on `socket`, one of this transfer's two (level-triggered epoll calls again while
    /// more are queued).
    func readable(_ socket: CInt, now: NIODeadline, scratch: TFTPTransferPumpScratch) {
        let count: Int
        if socket == sockets.transfer {
            // Connected: only the client's datagrams arrive here.
            count = ctftp_receive_datagram(
                socket, scratch.receiveBuffer, TFTPTransferPumpScratch.receiveCapacity, nil, nil)
        } else {
            var peer = TFTPPeerAddress()
            count = ctftp_receive_datagram(
                socket, scratch.receiveBuffer, TFTPTransferPumpScratch.receiveCapacity, &peer.storage, &peer.length)
            // The client itself only lands here if it sent before the transfer socket was connected.
            if count >= 0, !peer.isSamePeer(as: client) {
                perform(transfer.receivedPacketFromUnknownTransferID(), now: now, scratch: scratch, strayPeer: peer)
                return
            }
        }
        guard count >= 0 else {
            // EAGAIN, or the ICMP error of a vanished client (ECONNREFUSED, cleared by this read): the retransmission
            // timer decides whether the transfer survives.
            if errno != EAGAIN {
                scratch.counters.receiveErrors.add(1, ordering: .relaxed)
                logger.debug("TFTP transfer socket error", metadata: ["errno": "\(errno)"])
            }
            return
        }
        handleClientDatagram(count: count, now: now, scratch: scratch)
    }

    private func handleClientDatagram(count: Int, now: NIODeadline, scratch: TFTPTransferPumpScratch) {
        let bytes = UnsafeRawBufferPointer(start: scratch.receiveBuffer, count: count)
        if let block = TFTPPacket.acknowledgedBlock(in: bytes) {
            perform(transfer.receivedAcknowledgement(block: block, now: now), now: now, scratch: scratch)
            return
        }
        var payload = ByteBuffer(bytes: bytes)
        do {
            switch try payload.readTFTPPacket() {
            case .acknowledgement(let block):
                perform(transfer.receivedAcknowledgement(block: block, now: now), now: now, scratch: scratch)
            case .error(let code, let message):
                perform(transfer.receivedError(code: code, message: message, now: now), now: now, scratch: scratch)
            case let other:
                // dnsmasq ignores these too: a repeated RRQ belongs to the listening port, DATA/OACK to no reader.
                logger.debug("Ignoring unexpected TFTP packet", metadata: ["opcode": "\(other.opcode)"])
            }
        } catch {
            countMalformedDatagram()
            logger.debug("Ignoring undecodable TFTP datagram", metadata: ["error": "\(error)"])
        }
    }

    /// The heap entry armed at `timerFiresAt` came up.
    func timerFired(now: NIODeadline, scratch: TFTPTransferPumpScratch) {
        timerFiresAt = nil
        guard let deadline = requestedDeadline else { return }
        guard now >= deadline else {
            schedule(at: deadline, scratch: scratch)  // progress moved the deadline since this entry was armed
            return
        }
        requestedDeadline = nil
        perform(transfer.timerFired(now: now), now: now, scratch: scratch)
    }

    /// The pump ends the transfer without the machine: the server is stopping, or the socket cannot be watched.
    func abandon(because reason: String) {
        logger.notice("TFTP transfer stopped", metadata: ["reason": "\(reason)"])
        isFinished = true
    }

    /// Every acknowledged window pushes the retransmission deadline later; moving a heap entry per ACK would cost
    /// a heap operation per packet, so an existing entry is left to come up and re-armed then for the later
    /// deadline. Only a deadline earlier than the armed one adds an entry at once.
    private func arm(_ deadline: NIODeadline, scratch: TFTPTransferPumpScratch) {
        requestedDeadline = deadline
        if let firesAt = timerFiresAt, firesAt <= deadline { return }
        schedule(at: deadline, scratch: scratch)
    }

    private func schedule(at deadline: NIODeadline, scratch: TFTPTransferPumpScratch) {
        timerFiresAt = deadline
        scratch.deadlines.insert(.init(deadline: deadline, descriptor: descriptor, serial: serial))
    }

    private func perform(
        _ actions: [TFTPTransferAction], now: NIODeadline, scratch: TFTPTransferPumpScratch,
        strayPeer: TFTPPeerAddress? = nil
    ) {
        for action in actions {
            switch action {
            case .sendOptionAcknowledgement(let options):
                send(.optionAcknowledgement(options), to: nil, scratch: scratch)
            case .sendData(let blocks):
                guard sendData(blocks, now: now, scratch: scratch) else { return }
            case .sendError(let code, let message):
                send(.error(code: code, message: message), to: nil, scratch: scratch)
            case .replyToStrayPeer(let code, let message):
                if let strayPeer { send(.error(code: code, message: message), to: strayPeer, scratch: scratch) }
            case .armTimer(let deadline):
                arm(deadline, scratch: scratch)
            case .finish(let outcome, let statistics):
                requestedDeadline = nil
                timerFiresAt = nil
                isFinished = true
                log(outcome, statistics)
            }
        }
    }

    /// Reads a window of DATA into the send buffer and sends it in one call; on a read error sends the blocks
    /// read so far and hands the failure back to the machine.
    private func sendData(_ blocks: [TFTPDataBlock], now: NIODeadline, scratch: TFTPTransferPumpScratch) -> Bool {
        scratch.sendBuffer.clear()
        scratch.datagramLengths.removeAll(keepingCapacity: true)
        var failure: (any Error)?
        for block in blocks {
            let start = scratch.sendBuffer.writerIndex
            scratch.sendBuffer.writeInteger(TFTPOpcode.data.rawValue)
            scratch.sendBuffer.writeInteger(block.blockNumber)
            do {
                try source.read(at: block.offset, length: block.length, into: &scratch.sendBuffer)
            } catch {
                scratch.sendBuffer.moveWriterIndex(to: start)
                failure = error
                break
            }
            scratch.datagramLengths.append(scratch.sendBuffer.writerIndex - start)
        }
        flush(to: nil, scratch: scratch)
        if let failure {
            perform(transfer.sourceReadFailed(reason: "\(failure)", now: now), now: now, scratch: scratch)
            return false
        }
        return true
    }

    /// `peer` nil: the client, on the connected socket; otherwise a stray peer, from the stray socket.
    private func send(_ packet: TFTPPacket, to peer: TFTPPeerAddress?, scratch: TFTPTransferPumpScratch) {
        scratch.sendBuffer.clear()
        scratch.datagramLengths.removeAll(keepingCapacity: true)
        scratch.datagramLengths.append(scratch.sendBuffer.writeTFTPPacket(packet))
        flush(to: peer, scratch: scratch)
    }

    /// Sends the datagrams in the send buffer: to the client on the connected socket (`peer` nil), or to a stray
    /// peer from the stray socket. A datagram the kernel refuses (send buffer still full after the socket's send
    /// timeout, no route, a pending ICMP error) is lost like any other: retransmission covers it.
    private func flush(to peer: TFTPPeerAddress?, scratch: TFTPTransferPumpScratch) {
        let count = scratch.datagramLengths.count
        guard count > 0 else { return }
        scratch.counters.sendCalls.add(1, ordering: .relaxed)
        let segmentedBefore = sendState.segmented_calls
        let sent = scratch.sendBuffer.withUnsafeReadableBytes { bytes in
            scratch.datagramLengths.withUnsafeBufferPointer { lengths in
                let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self)
                guard let peer else {
                    return ctftp_send_datagrams(
                        sockets.transfer, nil, 0, base, lengths.baseAddress, CInt(count), &sendState)
                }
                return peer.withSocketAddress { address, length in
                    ctftp_send_datagrams(
                        sockets.stray, address, length, base, lengths.baseAddress, CInt(count), &sendState)
                }
            }
        }
        if sendState.segmented_calls != segmentedBefore {
            scratch.counters.segmentedSends.add(Int(sendState.segmented_calls - segmentedBefore), ordering: .relaxed)
        }
        if sent < count {
            logger.debug("TFTP datagrams not sent", metadata: ["unsent": "\(Int(count) - Int(sent))", "errno": "\(errno)"])
        }
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
