import DHCPCore
import Inventory
import NIOCore

/// What FuzzDHCP does with one input, shared with DHCPCoreTests' regression replay (that target links this file), so
/// a committed crasher is replayed through exactly the fuzzed path.
///
/// Properties checked (a violation traps, which libFuzzer reports as a crash):
/// - decoding never traps: it returns a message or a typed `DHCPDecodingError`;
/// - a decoded message re-encodes (within 16384 bytes) and decodes back to the same value, and encoding twice gives
///   the same bytes; encoded within 548 bytes it either fails with a typed error or also decodes back unchanged;
/// - the engine answers the message on the rack's link (twice, so the second meets the first's lease), on port
///   4011 and in proxy mode without trapping, and each reply it builds either fails to encode with a typed error
///   or encodes within the client's size and decodes back to the same message.
enum DHCPFuzzHarness {
    enum Outcome: Hashable, CustomStringConvertible {
        /// Decoded; the message type, if option 53 holds one, and what the engine made of it each time it ran.
        case decoded(DHCPMessageType?, engine: [DHCPEvent.Kind])
        case rejected(DHCPDecodingError)

        var description: String {
            switch self {
            case .decoded(let type, let engine):
                return "decoded \(type.map { "\($0)" } ?? "without a message type"); engine: "
                    + engine.map(\.rawValue).joined(separator: ", ")
            case .rejected(let error): return "rejected: \(error)"
            }
        }
    }

    static func run(_ datagram: ByteBuffer) -> Outcome {
        var datagram = datagram
        let message: DHCPMessage
        do {
            message = try datagram.readDHCPMessage()
        } catch {
            return .rejected(error)
        }
        checkRoundTrip(message, maximumLength: DHCPMessage.maximumLength, mustFit: true)
        checkRoundTrip(message, maximumLength: DHCPMessage.defaultMaximumLength, mustFit: false)

        var events: [DHCPEvent.Kind] = []
        var engine = DHCPEngine(configuration: DHCPFuzzRack.serverMode)
        for (arrival, now) in [
            (DHCPFuzzRack.onLink, DHCPFuzzRack.now), (DHCPFuzzRack.onLink, DHCPFuzzRack.now + 1),
            (DHCPFuzzRack.bootServerPort, DHCPFuzzRack.now + 2),
        ] {
            events.append(
                checkReply(
                    engine.handle(
                        message, arrival: arrival, inventory: DHCPFuzzRack.inventory,
                        now: now)))
        }
        var proxy = DHCPEngine(configuration: DHCPFuzzRack.proxyMode)
        events.append(
            checkReply(
                proxy.handle(
                    message, arrival: DHCPFuzzRack.onLink,
                    inventory: DHCPFuzzRack.inventory, now: DHCPFuzzRack.now)))
        return .decoded(message.options.messageType, engine: events)
    }

    private static func checkRoundTrip(_ message: DHCPMessage, maximumLength: Int, mustFit: Bool) {
        var first = ByteBuffer()
        do {
            try first.writeDHCPMessage(message, maximumLength: maximumLength)
        } catch {
            precondition(!mustFit, "a decoded message does not re-encode within \(maximumLength) bytes: \(error)")
            return
        }
        var second = ByteBuffer()
        _ = try? second.writeDHCPMessage(message, maximumLength: maximumLength)
        precondition(first == second, "encoding the same message twice gave different bytes")
        precondition(
            first.readableBytes <= max(maximumLength, DHCPMessage.minimumLength),
            "encoded \(first.readableBytes) bytes, more than the \(maximumLength) allowed")
        do {
            let decoded = try first.readDHCPMessage()
            precondition(decoded == message, "round trip changed the message:\n\(message)\n\(decoded)")
        } catch {
            preconditionFailure("a re-encoded message does not decode: \(error)")
        }
    }

    private static func checkReply(_ decision: DHCPDecision) -> DHCPEvent.Kind {
        if let reply = decision.reply {
            checkRoundTrip(reply.message, maximumLength: reply.maximumLength, mustFit: false)
        }
        return decision.event.kind
    }
}
