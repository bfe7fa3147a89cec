import CTFTPSocket
import Logging
import NIOCore
import TFTPCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Carries out one `TFTPReadTransfer` on its own ephemeral-port sockets (a fresh TID, RFC 1350 §4): feeds it ACKs,
/// ERRORs, stray packets and timer expiries, and performs the actions it returns. Lives on one pump's thread.
///
/// The client's datagrams arrive on the connected transfer socket, every other sender's on the stray socket
/// (`TFTPTransferSockets`). DATA leaves straight from the transfer's read-ahead chunk, each datagram gathered from
/// a 4-byte header and its payload: lock-step DATA with one `sendmsg`, a window with one UDP GSO send per chunk's
/// worth of blocks (`sendmmsg` where the kernel refuses GSO).
final class TFTPTransferSession {
    let sockets: TFTPTransferSockets
    /// The connected socket's descriptor, which names the transfer in the deadline heap.
    var descriptor: CInt { sockets.transfer }
    let serial: UInt64
    private var transfer: TFTPReadTransfer
    private var source: TFTPReadAheadSource
    private let client: TFTPPeerAddress
    private let logger: Logger
    private let completionMessageID: String
    private let completed: @Sendable () -> Void
    private let metrics: TFTPMetrics?
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
        source = TFTPReadAheadSource(
            setup.source, chunkSize: Self.readAheadChunkSize(for: setup.transfer.negotiatedOptions))
        client = TFTPPeerAddress(setup.client)
        logger = setup.logger
        completionMessageID = setup.completionMessageID
        metrics = setup.metrics
        completed = setup.completed
        countMalformedDatagram = setup.countMalformedDatagram
        finished = setup.finished
    }

    /// Bytes per pread, a whole number of blocks: lock-step and small windows read about 32 KiB (22 blocks of 1468
    /// bytes), as many whole windows as fit, so a window never straddles two chunks; a larger window reads what one
    /// UDP GSO send carries (at most 64 datagrams and 65,507 bytes), so each pread is followed by one send of
    /// bytes still in the CPU cache.
    static func readAheadChunkSize(for options: TFTPNegotiatedOptions) -> Int {
        let blockSize = options.blockSize
        let windowBytes = blockSize * options.windowSize
        if windowBytes <= TFTPReadAheadSource.defaultChunkSize {
            return windowBytes * (TFTPReadAheadSource.defaultChunkSize / windowBytes)
        }
        let blocksPerSend = min(options.windowSize, 64, max(1, 65_507 / (blockSize + 4)))
        return blocksPerSend * blockSize
    }

    func start(now: NIODeadline, scratch: TFTPTransferPumpScratch) {
        perform(transfer.start(now: now), now: now, scratch: scratch)
    }

    /// Reads what is queued on `socket`, one of this transfer's two: one datagram from the transfer socket (epoll
    /// is level-triggered and calls again while more are queued), everything from the stray socket (under io_uring
    /// several arrivals may be reported once), at most `strayBurst` datagrams a call.
    func readable(_ socket: CInt, now: NIODeadline, scratch: TFTPTransferPumpScratch) {
        if socket == sockets.transfer {
            // Connected: only the client's datagrams arrive here.
            let count = ctftp_receive_datagram(
                socket, scratch.receiveBuffer, TFTPTransferPumpScratch.receiveCapacity, nil, nil)
            guard count >= 0 else { return receiveFailed(errno: errno, now: now, scratch: scratch) }
            handleClientDatagram(
                UnsafeRawBufferPointer(start: scratch.receiveBuffer, count: count), now: now, scratch: scratch)
            return
        }
        for _ in 0..<Self.strayBurst where !isFinished {
            var peer = TFTPPeerAddress()
            let count = ctftp_receive_datagram(
                socket, scratch.receiveBuffer, TFTPTransferPumpScratch.receiveCapacity, &peer.storage, &peer.length)
            guard count >= 0 else {
                // Unconnected: no peer's ICMP error is reported here, so no error ends the transfer.
                if errno != EAGAIN { scratch.counters.receiveErrors.add(1, ordering: .relaxed) }
                return
            }
            // The client itself only lands here if it sent before the transfer socket was connected.
            if peer.isSamePeer(as: client) {
                handleClientDatagram(
                    UnsafeRawBufferPointer(start: scratch.receiveBuffer, count: count), now: now, scratch: scratch)
            } else {
                perform(transfer.receivedPacketFromUnknownTransferID(), now: now, scratch: scratch, strayPeer: peer)
            }
        }
    }

    /// Stray datagrams read per readiness report: a flood of them on one port cannot hold the pump's thread.
    static let strayBurst = 64

    /// A datagram the poller received on the transfer socket (io_uring): `bytes` holds its first bytes (all but
    /// the rest of a long ERROR message: an ACK's block number and an ERROR's code come first), `length` is its
    /// full length, so one longer than any TFTP packet is rejected as the codec would.
    func received(_ bytes: UnsafeRawBufferPointer, length: Int, now: NIODeadline, scratch: TFTPTransferPumpScratch) {
        guard length <= TFTPPacket.maximumLength else {
            countMalformedDatagram()
            logger.debug(
                "Ignoring undecodable TFTP datagram",
                metadata: ["error": "\(TFTPDecodingError.oversizedPacket(length: length))"])
            return
        }
        handleClientDatagram(bytes, now: now, scratch: scratch)
    }

    /// A failed receive on the transfer socket. EAGAIN is nothing; the ICMP error of a client that went away ends
    /// the transfer at once (`clientGone`); any other error is counted and left to the retransmission timer.
    func receiveFailed(errno error: CInt, now: NIODeadline, scratch: TFTPTransferPumpScratch) {
        guard error != EAGAIN else { return }
        if Self.meansClientGone(error) { return clientGone(now: now, scratch: scratch) }
        scratch.counters.receiveErrors.add(1, ordering: .relaxed)
        logger.debug("TFTP transfer socket error", metadata: ["errno": "\(error)"])
    }

    /// ECONNREFUSED (ICMP port unreachable) or EHOSTUNREACH on the connected socket: the kernel reports the
    /// client's ICMP error to whichever call comes next, a receive or a send.
    private static func meansClientGone(_ error: CInt) -> Bool { error == ECONNREFUSED || error == EHOSTUNREACH }

    /// The client is unreachable: end now instead of retransmitting into the void until the retries run out.
    private func clientGone(now: NIODeadline, scratch: TFTPTransferPumpScratch) {
        perform(transfer.clientUnreachable(now: now), now: now, scratch: scratch)
    }

    private func handleClientDatagram(
        _ bytes: UnsafeRawBufferPointer, now: NIODeadline, scratch: TFTPTransferPumpScratch
    ) {
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
        _ actions: TFTPTransferActions, now: NIODeadline, scratch: TFTPTransferPumpScratch,
        strayPeer: TFTPPeerAddress? = nil
    ) {
        guard let first = actions.leading,
            perform(first, now: now, scratch: scratch, strayPeer: strayPeer),
            let second = actions.trailing
        else { return }
        _ = perform(second, now: now, scratch: scratch, strayPeer: strayPeer)
    }

    /// Carries out one action; false when the actions after it must not run (a window whose read failed).
    private func perform(
        _ action: TFTPTransferAction, now: NIODeadline, scratch: TFTPTransferPumpScratch, strayPeer: TFTPPeerAddress?
    ) -> Bool {
        switch action {
        case .sendOptionAcknowledgement(let options):
            send(.optionAcknowledgement(options), to: nil, scratch: scratch)
        case .sendData(let window):
            return sendData(window, now: now, scratch: scratch)
        case .sendError(let code, let message):
            send(.error(code: code, message: message), to: nil, scratch: scratch)
        case .replyToStrayPeer(let code, let message):
            if let strayPeer { send(.error(code: code, message: message), to: strayPeer, scratch: scratch) }
        case .armTimer(let deadline):
            arm(deadline, scratch: scratch)
        case .finish(let outcome, let statistics):
            if outcome == .clientWentAway { scratch.counters.clientsGone.add(1, ordering: .relaxed) }
            requestedDeadline = nil
            timerFiresAt = nil
            isFinished = true
            log(outcome, statistics)
            metrics?.transferEnded(outcome, statistics)
        }
        return true
    }

    /// Sends a window of DATA, one read-ahead chunk's worth of blocks per send, straight from the chunk; on a read
    /// error sends nothing more and hands the failure back to the machine. A stream of unknown length that comes
    /// back short has ended: its final block is sent and the machine learns the size (no block after it leaves).
    private func sendData(_ window: TFTPDataWindow, now: NIODeadline, scratch: TFTPTransferPumpScratch) -> Bool {
        let blocksPerChunk = max(1, source.chunkSize / window.blockSize)
        var sent = 0
        while sent < window.count {
            var part = window.blocks(sent..<min(sent + blocksPerChunk, window.count))
            do {
                var delivered = true
                let ended = try source.withContiguousBytes(at: part.byteOffset, length: part.byteCount) { payload in
                    let ended = payload.count < part.byteCount
                    if ended { part = part.ending(atStreamSize: part.byteOffset + UInt64(payload.count)) }
                    delivered = sendDataBlocks(part, payload: payload, scratch: scratch)
                    return ended
                }
                if !delivered {
                    clientGone(now: now, scratch: scratch)
                    return false
                }
                if ended {
                    transfer.reachedEndOfStream(size: part.byteOffset + UInt64(part.byteCount))
                    return true
                }
            } catch {
                perform(transfer.sourceReadFailed(reason: "\(error)", now: now), now: now, scratch: scratch)
                return false
            }
            sent += part.count
        }
        return true
    }

    /// A datagram the kernel refuses (send buffer still full after the socket's send timeout) is lost like any
    /// other: retransmission covers it. False when the refusal was the client's ICMP error: it has gone.
    private func sendDataBlocks(
        _ blocks: TFTPDataWindow, payload: UnsafeRawBufferPointer, scratch: TFTPTransferPumpScratch
    ) -> Bool {
        scratch.counters.sendCalls.add(1, ordering: .relaxed)
        let segmentedBefore = sendState.segmented_calls
        let sent = ctftp_send_data_blocks(
            sockets.transfer, nil, 0, blocks[0].blockNumber, payload.baseAddress?.assumingMemoryBound(to: UInt8.self),
            payload.count, blocks.blockSize, CInt(blocks.count), &sendState)
        if sendState.segmented_calls != segmentedBefore {
            scratch.counters.segmentedSends.add(Int(sendState.segmented_calls - segmentedBefore), ordering: .relaxed)
        }
        guard sent < blocks.count else { return true }
        let error = errno
        logger.debug(
            "TFTP datagrams not sent", metadata: ["unsent": "\(blocks.count - Int(sent))", "errno": "\(error)"])
        return !Self.meansClientGone(error)
    }

    /// Sends an OACK or ERROR: to the client on the connected socket (`peer` nil), or to a stray peer from the
    /// stray socket. A refused send is lost like any other datagram.
    private func send(_ packet: TFTPPacket, to peer: TFTPPeerAddress?, scratch: TFTPTransferPumpScratch) {
        scratch.counters.sendCalls.add(1, ordering: .relaxed)
        scratch.sendBuffer.clear()
        scratch.sendBuffer.writeTFTPPacket(packet)
        let sent = scratch.sendBuffer.withUnsafeReadableBytes { bytes in
            let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self)
            guard let peer else { return ctftp_send_datagram(sockets.transfer, nil, 0, base, bytes.count) }
            return peer.withSocketAddress { address, length in
                ctftp_send_datagram(sockets.stray, address, length, base, bytes.count)
            }
        }
        if sent == 0 { logger.debug("TFTP datagram not sent", metadata: ["errno": "\(errno)"]) }
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
            completed()
        case .clientDeclinedOptions(let message):
            metadata["client_message"] = "\(TFTPLogText.printable(message))"
            logger.info("TFTP client declined the options (UEFI size probe)", metadata: metadata)
        case .abandonedByClient(let code, let message):
            metadata["tftp_error"] = "\(code.rawValue)"
            metadata["client_message"] = "\(TFTPLogText.printable(message))"
            logger.info("TFTP client ended the transfer", metadata: metadata)
        case .clientWentAway:
            logger.notice("TFTP client went away (its address answered unreachable)", metadata: metadata)
        case .failed(let failure):
            metadata["reason"] = "\(failure)"
            metadata["message_id"] = "\(TFTPMessageID.transferFailed)"
            logger.warning("TFTP transfer failed", metadata: metadata)
        }
    }
}
