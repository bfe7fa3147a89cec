import Inventory
import NIOCore

@testable import DHCPCore

/// Hand-built hostile datagrams and what became of one: refused by the decoder (counted as malformed) or decided
/// by the engine (for these, dropped).
enum HostileDatagram {
    enum Outcome: Equatable {
        case malformed(DHCPDecodingError)
        case decided(DHCPEvent.Kind, reason: String?)

        var isDropped: Bool {
            switch self {
            case .malformed: return true
            case .decided(let kind, _): return kind == .dropped
            }
        }
    }

    /// A well-formed BOOTREQUEST header from 52:54:00:99:00:01 (unknown to the fixture's inventory) with the magic
    /// cookie; append options.
    static func header(htype: UInt8 = 1, hlen: UInt8 = 6, op: UInt8 = 1) -> [UInt8] {
        var bytes: [UInt8] = [op, htype, hlen, 0, 0x12, 0x34, 0x56, 0x78, 0, 0, 0x80, 0]
        bytes += Array(repeating: 0, count: 16)
        bytes += [0x52, 0x54, 0x00, 0x99, 0x00, 0x01] + Array(repeating: 0, count: 10)
        bytes += Array(repeating: 0, count: 64 + 128)
        return bytes + DHCPMessage.magicCookie
    }

    static let discover: [UInt8] = [53, 1, 1]

    /// `header()` with `options`, and `sname` / `file` replaced by the given bytes (zero-padded).
    static func datagram(
        _ options: [UInt8], sname: [UInt8] = [], file: [UInt8] = [],
        header base: [UInt8] = header()
    ) -> [UInt8] {
        var bytes = base
        bytes.replaceSubrange(44..<(44 + sname.count), with: sname)
        bytes.replaceSubrange(108..<(108 + file.count), with: file)
        return bytes + options
    }

    /// Decodes `bytes` and, when they decode, lets the fixture's engine decide.
    static func outcome(_ bytes: [UInt8], engine: inout DHCPEngine, arrival: DHCPArrival = EngineFixture.onLink)
        -> Outcome
    {
        var buffer = ByteBuffer(bytes: bytes)
        do {
            let message = try buffer.readDHCPMessage()
            let decision = engine.handle(
                message, arrival: arrival, inventory: EngineFixture.inventory,
                now: EngineFixture.now)
            return .decided(decision.event.kind, reason: decision.event.reason)
        } catch {
            return .malformed(error)
        }
    }

    static func outcome(_ bytes: [UInt8], arrival: DHCPArrival = EngineFixture.onLink) -> Outcome {
        var engine = EngineFixture.engine()
        return outcome(bytes, engine: &engine, arrival: arrival)
    }
}
