import Inventory
import NIOCore
import TFTPCore

/// What FuzzTFTP does with one input, shared with TFTPCoreTests' regression replay (that target links this file), so
/// a committed crasher is replayed through exactly the fuzzed path.
///
/// Properties checked (a violation traps, which libFuzzer reports as a crash):
/// - decoding never traps: it returns a packet or a typed `TFTPDecodingError`;
/// - a decoded packet re-encodes and decodes back to the same packet, unless the re-encoding outgrew the largest
///   legal datagram (an ERROR message whose invalid UTF-8 became U+FFFD), which must then be refused as oversized;
/// - a request's file name normalises or is refused with a typed error; a normalised name is relative, has no `..`
///   and normalises to itself;
/// - option negotiation for every size and MTU in `TFTPFuzzSetting` keeps blksize and windowsize in range, and the
///   transfer it starts sends an OACK that round-trips, or a first window the negotiation allows;
/// - an ACK or ERROR fed to running transfers is handled without trapping.
enum TFTPFuzzHarness {
    enum Outcome: Hashable, CustomStringConvertible {
        /// Decoded; for a request, the normalised name (or why it is refused) and the OACK sent for a 40 MiB file
        /// through an MTU of 1500.
        case decoded(TFTPOpcode, detail: String?)
        case rejected(TFTPDecodingError)

        var description: String {
            switch self {
            case .decoded(let opcode, let detail): return "decoded \(opcode)" + (detail.map { "; \($0)" } ?? "")
            case .rejected(let error): return "rejected: \(error)"
            }
        }
    }

    static func run(_ datagram: ByteBuffer) -> Outcome {
        var datagram = datagram
        let packet: TFTPPacket
        do {
            packet = try datagram.readTFTPPacket()
        } catch {
            return .rejected(error)
        }
        checkRoundTrip(packet)
        var detail: String?
        switch packet {
        case .readRequest(let request), .writeRequest(let request):
            checkFileName(request.filename)
            let name: String
            do {
                name = "name \(try TFTPFileName(normalizing: request.filename).path)"
            } catch {
                name = "name refused: \(error)"
            }
            let oack = TFTPNegotiatedOptions(
                request: request, transferSize: 40 << 20, interfaceMTU: 1500,
                limits: TFTPFuzzSetting.limits
            ).acknowledgedOptions
            detail = name + "; OACK [\(oack.map(\.description).joined(separator: ", "))]"
            for transferSize in TFTPFuzzSetting.transferSizes {
                for mtu in TFTPFuzzSetting.interfaceMTUs {
                    checkTransferStart(request, transferSize: transferSize, interfaceMTU: mtu)
                }
            }
        case .acknowledgement(let block):
            for var transfer in TFTPFuzzSetting.runningTransfers() {
                _ = transfer.receivedAcknowledgement(block: block, now: TFTPFuzzSetting.later)
                _ = transfer.timerFired(now: TFTPFuzzSetting.later + .seconds(10))
            }
        case .error(let code, let message):
            for var transfer in TFTPFuzzSetting.runningTransfers() {
                _ = transfer.receivedError(code: code, message: message, now: TFTPFuzzSetting.later)
            }
        case .data, .optionAcknowledgement:
            break
        }
        return .decoded(packet.opcode, detail: detail)
    }

    private static func checkRoundTrip(_ packet: TFTPPacket) {
        var encoded = ByteBuffer()
        encoded.writeTFTPPacket(packet)
        let length = encoded.readableBytes
        do {
            let decoded = try encoded.readTFTPPacket()
            precondition(decoded == packet, "round trip changed the packet: \(packet) became \(decoded)")
        } catch {
            guard case .oversizedPacket = error, case .error = packet, length > TFTPPacket.maximumLength else {
                preconditionFailure("a re-encoded \(packet.opcode) does not decode: \(error)")
            }
        }
    }

    private static func checkFileName(_ requested: String) {
        guard let name = try? TFTPFileName(normalizing: requested) else { return }
        precondition(!name.path.isEmpty && !name.path.hasPrefix("/"), "normalised to '\(name.path)'")
        precondition(!name.components.contains(".."), "'..' survived normalisation: '\(name.path)'")
        precondition((try? TFTPFileName(normalizing: name.path))?.path == name.path, "normalising is not idempotent")
        _ = TFTPConfigProbe.isExpectedMiss(name)
        _ = BootConfigFormat.mac(inFileName: name.path)
        _ = try? TFTPFileResolver.locate(requested, in: TFTPFuzzSetting.inventory)
    }

    private static func checkTransferStart(_ request: TFTPRequest, transferSize: UInt64, interfaceMTU: Int?) {
        var transfer = TFTPReadTransfer(
            request: request, transferSize: transferSize, interfaceMTU: interfaceMTU,
            limits: TFTPFuzzSetting.limits)
        let negotiated = transfer.negotiatedOptions
        precondition(
            (TFTPNegotiatedOptions.minimumBlockSize...TFTPPacket.maximumDataPayloadLength)
                .contains(negotiated.blockSize), "blksize \(negotiated.blockSize)")
        precondition(
            (1...TFTPFuzzSetting.limits.windowSizeCeiling).contains(negotiated.windowSize),
            "windowsize \(negotiated.windowSize)")
        for action in transfer.start(now: TFTPFuzzSetting.start) {
            switch action {
            case .sendOptionAcknowledgement(let options):
                checkRoundTrip(.optionAcknowledgement(options))
            case .sendData(let blocks):
                precondition(blocks.count <= negotiated.windowSize, "\(blocks.count) blocks in the first window")
                precondition(blocks.allSatisfy { $0.length <= negotiated.blockSize }, "a block above blksize")
            default:
                break
            }
        }
        _ = transfer.receivedAcknowledgement(block: 0, now: TFTPFuzzSetting.later)
        _ = transfer.receivedAcknowledgement(block: 1, now: TFTPFuzzSetting.later)
        _ = transfer.timerFired(now: TFTPFuzzSetting.later + .seconds(300))
    }
}
