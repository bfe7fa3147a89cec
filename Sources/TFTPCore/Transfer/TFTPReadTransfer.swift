import NIOCore

/// The pure state machine of one read transfer (RRQ), from negotiation to the final ACK.
///
/// It reads no clock and touches no socket or file: every event carries `now`, and every decision comes back as
/// `TFTPTransferAction`s that the `Server/` adapter carries out (the `NIOSSHHandler` / `SSHConnectionStateMachine`
/// split). DATA is described as byte ranges, so large files are streamed by the adapter with pread.
///
/// Rules it enforces (docs/protocol.md, "TFTP"):
/// - RFC 2347: OACK only requested-and-accepted options, then wait for ACK 0; with none, start with DATA 1.
///   ERROR 8 in answer to the OACK is the client declining (UEFI's tsize probe), not a failure.
/// - RFC 7440: send a window, wait for an ACK; an ACK inside the window slides it and the next window starts
///   right after the acknowledged block (a partial-window ACK means the client saw a gap).
/// - Retransmit only when the timer fires, the whole window from the first unacknowledged block, with
///   exponential back-off and a bounded number of tries. A duplicate ACK never causes a resend (the Sorcerer's
///   Apprentice bug, RFC 1123 §4.2.3.1); ACKs outside the window are ignored.
/// - Block numbers are the low 16 bits of a 64-bit index, so transfers beyond 65535 blocks roll over to 0.
/// - The final block is shorter than blksize (0 bytes when the size is a multiple of it). A final ACK that never
///   comes after the last window is completion, not failure (docs/protocol.md, "End of transfer and the final ACK").
/// - A stream whose length is unknown at the start (netascii, converted as it is sent) is sent in full blocks until
///   the adapter reports where it ended (`reachedEndOfStream`), so no request waits for a whole-file scan.
public struct TFTPReadTransfer: Sendable {
    private enum Phase: Hashable, Sendable {
        case notStarted
        case awaitingOptionAcknowledgement
        case transferring
        case finished
    }

    /// What was negotiated; fixed for the life of the transfer.
    public let negotiatedOptions: TFTPNegotiatedOptions
    /// Bytes in the transferred stream; nil until a stream of unknown length has been read to its end.
    public private(set) var transferSize: UInt64?

    private let mode: TFTPTransferMode
    private let limits: TFTPTransferLimits
    /// Index of the last (short) block: size / blksize + 1; `UInt64.max` while the size is unknown.
    private var finalBlockIndex: UInt64
    private var phase: Phase = .notStarted
    private var firstUnacknowledgedIndex: UInt64 = 1
    private var nextIndexToSend: UInt64 = 1
    private var consecutiveTimeouts = 0
    private var retransmitTimeout: TimeAmount
    private var retransmitDeadline: NIODeadline?
    private var startTime = NIODeadline.uptimeNanoseconds(0)
    private var lastProgress = NIODeadline.uptimeNanoseconds(0)
    private var dataPacketsSent: UInt64 = 0
    private var retransmittedPackets: UInt64 = 0
    private var finalAcknowledged = false

    /// Prepares a transfer of `transferSize` bytes for `request`, or of a stream whose length the adapter learns as
    /// it reads (`nil`: netascii, docs/tftp-io.md). `interfaceMTU` is the MTU of the interface the RRQ arrived on,
    /// when known (the blksize clamp).
    public init(request: TFTPRequest, transferSize: UInt64?, interfaceMTU: Int?, limits: TFTPTransferLimits = .init()) {
        let negotiated = TFTPNegotiatedOptions(
            request: request, transferSize: transferSize, interfaceMTU: interfaceMTU, limits: limits)
        self.negotiatedOptions = negotiated
        self.transferSize = transferSize
        self.mode = request.mode
        self.limits = limits
        self.finalBlockIndex = transferSize.map { $0 / UInt64(negotiated.blockSize) + 1 } ?? .max
        self.retransmitTimeout = negotiated.retransmitTimeout
    }

    /// True once a `.finish` action has been returned; later events return no actions.
    public var isFinished: Bool { phase == .finished }

    /// Number of DATA blocks in the whole transfer, the short final one included; nil while the length is unknown.
    public var blockCount: UInt64? { transferSize == nil ? nil : finalBlockIndex }

    /// The first packets: an OACK, or DATA directly when no option was accepted (RFC 2347 §2).
    public mutating func start(now: NIODeadline) -> TFTPTransferActions {
        guard phase == .notStarted else { return [] }
        startTime = now
        lastProgress = now
        if mode == .mail {
            // RFC 1350 §5: mail "should not be implemented"; refuse as tftp-hpa does.
            let message = "Mail mode is not supported"
            return TFTPTransferActions(
                .sendError(.illegalOperation, message: message),
                then: finish(.failed(.refusedRequest(reason: message)), now: now))
        }
        if negotiatedOptions.acknowledgedOptions.isEmpty {
            phase = .transferring
            return sendWindow(now: now)
        }
        phase = .awaitingOptionAcknowledgement
        return TFTPTransferActions(
            .sendOptionAcknowledgement(negotiatedOptions.acknowledgedOptions), then: armTimer(now: now))
    }

    /// An ACK from the client's TID.
    public mutating func receivedAcknowledgement(block: UInt16, now: NIODeadline) -> TFTPTransferActions {
        switch phase {
        case .notStarted, .finished:
            return []
        case .awaitingOptionAcknowledgement:
            // RFC 2347 §2: the OACK is acknowledged with block 0; anything else is stale or bogus.
            guard block == 0 else { return [] }
            phase = .transferring
            recordProgress(now: now)
            return sendWindow(now: now)
        case .transferring:
            let lastAcknowledged = firstUnacknowledgedIndex - 1
            let distance = UInt64(block &- UInt16(truncatingIfNeeded: lastAcknowledged))
            // distance 0: a duplicate of the last ACK. Never resend for it (Sorcerer's Apprentice).
            guard distance != 0 else { return [] }
            let acknowledged = lastAcknowledged + distance
            // Beyond what was sent: a stale ACK from before a rollover or a bogus one. Ignore.
            guard acknowledged < nextIndexToSend else { return [] }
            firstUnacknowledgedIndex = acknowledged + 1
            recordProgress(now: now)
            if acknowledged == finalBlockIndex {
                finalAcknowledged = true
                return TFTPTransferActions(finish(.completed(finalAcknowledgementReceived: true), now: now))
            }
            return sendWindow(now: now)
        }
    }

    /// An ERROR from the client's TID ends the transfer (RFC 1350 §7); ERROR 8 answering the OACK is the client
    /// declining the options (RFC 2347 §2), which UEFI does on purpose.
    public mutating func receivedError(code: TFTPErrorCode, message: String, now: NIODeadline) -> TFTPTransferActions {
        switch phase {
        case .notStarted, .finished:
            return []
        case .awaitingOptionAcknowledgement where code == .optionNegotiationFailed:
            return TFTPTransferActions(finish(.clientDeclinedOptions(message: message), now: now))
        case .awaitingOptionAcknowledgement, .transferring:
            return TFTPTransferActions(finish(.abandonedByClient(code: code, message: message), now: now))
        }
    }

    /// A packet reached this transfer's socket from another address or port: answer that peer with ERROR 5 and
    /// carry on (RFC 1350 §4; dnsmasq "TID mismatch"). The state does not change.
    public func receivedPacketFromUnknownTransferID() -> TFTPTransferActions {
        guard phase != .finished else { return [] }
        return TFTPTransferActions(
            .replyToStrayPeer(.unknownTransferID, message: TFTPErrorCode.unknownTransferID.defaultMessage))
    }

    /// The adapter could not read a block's bytes: tell the client and give up.
    public mutating func sourceReadFailed(reason: String, now: NIODeadline) -> TFTPTransferActions {
        guard phase == .transferring || phase == .awaitingOptionAcknowledgement else { return [] }
        let end = finish(.failed(.sourceReadFailed(reason: reason)), now: now)
        return TFTPTransferActions(.sendError(.undefined, message: "Read error"), then: end)
    }

    /// The adapter read the stream to its end: it is `size` bytes long, so its final block is `size / blksize + 1`
    /// and no block after it is sent. Only a stream of unknown length learns its size this way; the adapter reports
    /// it when it reads the final block, before that block leaves, and again harmlessly on a retransmission.
    public mutating func reachedEndOfStream(size: UInt64) {
        guard transferSize == nil || transferSize == size else { return }
        let finalIndex = size / UInt64(negotiatedOptions.blockSize) + 1
        guard finalIndex >= firstUnacknowledgedIndex else { return }  // contradicts blocks the client acknowledged
        transferSize = size
        finalBlockIndex = finalIndex
        if nextIndexToSend > finalIndex + 1 {
            dataPacketsSent -= nextIndexToSend - (finalIndex + 1)
            nextIndexToSend = finalIndex + 1
        }
    }

    /// The client's socket reported it unreachable (an ICMP port or host unreachable answered a DATA): nobody is
    /// listening any more, so the transfer ends now instead of retransmitting into the void until its retries run
    /// out. After every block went out, that is a client that took the last block and left before its final ACK
    /// arrived: completed, as a silent one would be (`giveUp`).
    public mutating func clientUnreachable(now: NIODeadline) -> TFTPTransferActions {
        guard phase == .transferring || phase == .awaitingOptionAcknowledgement else { return [] }
        if phase == .transferring && nextIndexToSend > finalBlockIndex {
            return TFTPTransferActions(finish(.completed(finalAcknowledgementReceived: false), now: now))
        }
        return TFTPTransferActions(finish(.clientWentAway, now: now))
    }

    /// The retransmission timer expired. A call before the armed deadline (a timer the adapter failed to
    /// cancel) is ignored.
    public mutating func timerFired(now: NIODeadline) -> TFTPTransferActions {
        guard phase == .transferring || phase == .awaitingOptionAcknowledgement,
            let deadline = retransmitDeadline, now >= deadline
        else { return [] }
        let stalledFor = now - lastProgress
        if stalledFor >= limits.noProgressTimeout {
            return giveUp(.noProgress(for: stalledFor), now: now)
        }
        consecutiveTimeouts += 1
        if consecutiveTimeouts > limits.maximumRetransmissions {
            let firstUnacknowledged = phase == .awaitingOptionAcknowledgement ? 0 : firstUnacknowledgedIndex
            return giveUp(.retransmissionsExhausted(firstUnacknowledgedBlock: firstUnacknowledged), now: now)
        }
        let ceiling = max(limits.maximumRetransmitTimeout, negotiatedOptions.retransmitTimeout)
        retransmitTimeout = min(retransmitTimeout * 2, ceiling)
        if phase == .awaitingOptionAcknowledgement {
            retransmittedPackets += 1
            return TFTPTransferActions(
                .sendOptionAcknowledgement(negotiatedOptions.acknowledgedOptions), then: armTimer(now: now))
        }
        return sendWindow(now: now)
    }

    // MARK: - Helpers

    /// Sends up to windowsize blocks from the first unacknowledged one and arms the timer.
    private mutating func sendWindow(now: NIODeadline) -> TFTPTransferActions {
        let first = firstUnacknowledgedIndex
        let last = min(first + UInt64(negotiatedOptions.windowSize) - 1, finalBlockIndex)
        let window = TFTPDataWindow(
            firstIndex: first, count: Int(last - first + 1), blockSize: negotiatedOptions.blockSize,
            transferSize: transferSize ?? .max)
        if first < nextIndexToSend { retransmittedPackets += min(nextIndexToSend, last + 1) - first }
        dataPacketsSent += UInt64(window.count)
        nextIndexToSend = max(nextIndexToSend, last + 1)
        return TFTPTransferActions(.sendData(window), then: armTimer(now: now))
    }

    private mutating func armTimer(now: NIODeadline) -> TFTPTransferAction {
        let deadline = now + retransmitTimeout
        retransmitDeadline = deadline
        return .armTimer(deadline: deadline)
    }

    /// A newly acknowledged block (or the OACK) resets the back-off and the stall clock.
    private mutating func recordProgress(now: NIODeadline) {
        lastProgress = now
        consecutiveTimeouts = 0
        retransmitTimeout = negotiatedOptions.retransmitTimeout
    }

    /// Once every block went out at least once, a silent client is treated as done: the final ACK is the one
    /// packet some clients never send (docs/protocol.md, "End of transfer and the final ACK").
    private mutating func giveUp(_ failure: TFTPTransferFailure, now: NIODeadline) -> TFTPTransferActions {
        if phase == .transferring && nextIndexToSend > finalBlockIndex {
            return TFTPTransferActions(finish(.completed(finalAcknowledgementReceived: false), now: now))
        }
        return TFTPTransferActions(finish(.failed(failure), now: now))
    }

    private mutating func finish(_ outcome: TFTPTransferOutcome, now: NIODeadline) -> TFTPTransferAction {
        phase = .finished
        retransmitDeadline = nil
        let blocksAcknowledged = firstUnacknowledgedIndex - 1
        var bytesAcknowledged = blocksAcknowledged * UInt64(negotiatedOptions.blockSize)
        if finalAcknowledged, let transferSize { bytesAcknowledged = transferSize }
        let statistics = TFTPTransferStatistics(
            transferSize: transferSize, bytesAcknowledged: bytesAcknowledged, blocksAcknowledged: blocksAcknowledged,
            dataPacketsSent: dataPacketsSent, retransmittedPackets: retransmittedPackets,
            blockSize: negotiatedOptions.blockSize, windowSize: negotiatedOptions.windowSize,
            duration: now - startTime)
        return .finish(outcome, statistics)
    }
}
