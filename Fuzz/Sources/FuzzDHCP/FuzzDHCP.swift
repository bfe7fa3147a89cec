import DHCP
import Inventory
import NIOCore

/// libFuzzer entry point: one input is one UDP datagram to port 67 (or 4011).
///
/// Properties checked (a violation traps, which libFuzzer reports as a crash):
/// - decoding never traps: it returns a message or a typed `DHCPDecodingError`;
/// - a decoded message re-encodes (within 16384 bytes) and decodes back to the same value, and encoding twice gives
///   the same bytes; encoded within 548 bytes it either fails with a typed error or also decodes back unchanged;
/// - the engine answers the message on the rack's link, on port 4011 and in proxy mode without trapping, and each
///   reply it builds encodes within the client's size and decodes back to the same message.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDHCPDatagram(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var datagram = ByteBuffer(bytes: UnsafeBufferPointer(start: data, count: size))
    guard let message = try? datagram.readDHCPMessage() else { return 0 }
    checkRoundTrip(message, maximumLength: DHCPMessage.maximumLength, mustFit: true)
    checkRoundTrip(message, maximumLength: DHCPMessage.defaultMaximumLength, mustFit: false)

    var engine = DHCPEngine(configuration: DHCPFuzzRack.serverMode)
    for (arrival, now) in [(DHCPFuzzRack.onLink, DHCPFuzzRack.now), (DHCPFuzzRack.onLink, DHCPFuzzRack.now + 1),
                           (DHCPFuzzRack.bootServerPort, DHCPFuzzRack.now + 2)] {
        checkReply(engine.handle(message, arrival: arrival, inventory: DHCPFuzzRack.inventory, now: now))
    }
    var proxy = DHCPEngine(configuration: DHCPFuzzRack.proxyMode)
    checkReply(proxy.handle(message, arrival: DHCPFuzzRack.onLink, inventory: DHCPFuzzRack.inventory,
                            now: DHCPFuzzRack.now))
    return 0
}

private func checkRoundTrip(_ message: DHCPMessage, maximumLength: Int, mustFit: Bool) {
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
    precondition(first.readableBytes <= maximumLength || first.readableBytes == DHCPMessage.minimumLength,
                 "encoded \(first.readableBytes) bytes, more than the \(maximumLength) allowed")
    do {
        let decoded = try first.readDHCPMessage()
        precondition(decoded == message, "round trip changed the message:\n\(message)\n\(decoded)")
    } catch {
        preconditionFailure("a re-encoded message does not decode: \(error)")
    }
}

private func checkReply(_ decision: DHCPDecision) {
    guard let reply = decision.reply else { return }
    checkRoundTrip(reply.message, maximumLength: reply.maximumLength, mustFit: false)
}
