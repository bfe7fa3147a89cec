import NIOCore

/// The outcome of RFC 2347 option negotiation for one read request: the values the transfer runs with and the
/// options to echo in the OACK.
///
/// Rules (docs/protocol.md, "Option negotiation (RFC 2347)"):
/// - Only options the client requested *and* the server accepts are echoed; unknown options are ignored.
/// - Bad values are ignored rather than NAKed (tftp-hpa's NAK for blksize < 8 breaks odd clients needlessly).
/// - A repeated option: the first occurrence counts, later ones are ignored (RFC 2347 does not say).
/// - `tsize` and `windowsize` only in octet mode: a netascii stream's size differs from the file's, and
///   netascii keeps window 1 like dnsmasq.
public struct TFTPNegotiatedOptions: Hashable, Sendable {
    /// RFC 1350's 512 unless `blksize` was accepted.
    public let blockSize: Int
    /// 1 (lock-step, RFC 1350) unless `windowsize` was accepted.
    public let windowSize: Int
    /// The initial retransmission timeout: the negotiated `timeout` or the configured default.
    public let retransmitTimeout: TimeAmount
    /// What the OACK carries, in the client's order. Empty: answer the RRQ with DATA 1 directly.
    public let acknowledgedOptions: [TFTPOption]
    /// Requested options that were not accepted, for debug logging.
    public let ignoredOptions: [TFTPOption]

    /// IPv4 (20) + UDP (8) + TFTP (4) header bytes: blksize ≤ MTU − 32 keeps DATA unfragmented (docs/protocol.md,
    /// "blksize and the MTU"). An IPv6 adapter would pass an MTU reduced by a further 20 bytes.
    public static let headerOverhead = 32
    /// RFC 2348 §2: the smallest valid blksize.
    public static let minimumBlockSize = 8
    /// RFC 1350's fixed block size, used when blksize is not negotiated.
    public static let defaultBlockSize = 512

    /// Negotiates `request`'s options for a stream of `transferSize` bytes (nil when its length is learned only by
    /// sending it: then tsize is never answered) sent through an interface with `interfaceMTU` (nil when unknown).
    public init(request: TFTPRequest, transferSize: UInt64?, interfaceMTU: Int?, limits: TFTPTransferLimits) {
        var firstByName: [String: TFTPOption] = [:]
        var ignored: [TFTPOption] = []
        for option in request.options {
            if firstByName[option.name] == nil { firstByName[option.name] = option } else { ignored.append(option) }
        }
        let isOctet = request.mode == .octet

        var blockSizeCeiling = min(limits.blockSizeCeiling, TFTPPacket.maximumDataPayloadLength)
        if let interfaceMTU { blockSizeCeiling = min(blockSizeCeiling, interfaceMTU - Self.headerOverhead) }
        var blockSize: Int?
        if let requested = firstByName[TFTPOption.blockSizeName].flatMap({ Self.decimal($0.value) }),
            requested >= Self.minimumBlockSize
        {
            let granted = min(requested, blockSizeCeiling)
            if granted >= Self.minimumBlockSize { blockSize = granted }
        }
        let effectiveBlockSize = blockSize ?? Self.defaultBlockSize

        var windowSize: Int?
        if isOctet, let requested = firstByName[TFTPOption.windowSizeName].flatMap({ Self.decimal($0.value) }),
            (1...65535).contains(requested)
        {
            let byteCap = max(1, limits.maximumBytesInFlight / effectiveBlockSize)
            windowSize = max(1, min(requested, limits.windowSizeCeiling, byteCap, 65535))
        }

        var timeoutSeconds: Int?
        if let requested = firstByName[TFTPOption.timeoutName].flatMap({ Self.decimal($0.value) }),
            (1...255).contains(requested)
        {
            timeoutSeconds = requested
        }

        let answersTransferSize =
            isOctet && transferSize != nil
            && firstByName[TFTPOption.transferSizeName].flatMap({ Self.decimal($0.value) }) != nil

        var acknowledged: [TFTPOption] = []
        for option in request.options where firstByName[option.name] == option {
            switch option.name {
            case TFTPOption.blockSizeName where blockSize != nil:
                acknowledged.append(TFTPOption(name: option.name, value: String(blockSize!)))
            case TFTPOption.windowSizeName where windowSize != nil:
                acknowledged.append(TFTPOption(name: option.name, value: String(windowSize!)))
            case TFTPOption.timeoutName where timeoutSeconds != nil:
                acknowledged.append(TFTPOption(name: option.name, value: String(timeoutSeconds!)))
            case TFTPOption.transferSizeName where answersTransferSize:
                acknowledged.append(TFTPOption(name: option.name, value: String(transferSize!)))
            default:
                ignored.append(option)
            }
        }

        self.blockSize = effectiveBlockSize
        self.windowSize = windowSize ?? 1
        self.retransmitTimeout = timeoutSeconds.map { .seconds(Int64($0)) } ?? limits.defaultRetransmitTimeout
        self.acknowledgedOptions = acknowledged
        self.ignoredOptions = ignored
    }

    /// Plain decimal digits only (no sign, no spaces), at most 9 of them so the value fits any `Int`.
    static func decimal(_ text: String) -> Int? {
        guard !text.isEmpty, text.utf8.count <= 9, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else {
            return nil
        }
        return Int(text)
    }
}
