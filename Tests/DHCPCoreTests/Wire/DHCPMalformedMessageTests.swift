import NIOCore
import Testing

@testable import DHCPCore

/// Malformed datagrams are refused with the reason, never crash, and leave the buffer untouched.
@Suite struct DHCPMalformedMessageTests {
    let valid = DHCPMessageCodecTests.discoverBytes

    func decode(_ bytes: [UInt8]) -> DHCPDecodingError? {
        var buffer = ByteBuffer(bytes: bytes)
        do {
            _ = try buffer.readDHCPMessage()
            return nil
        } catch {
            #expect(buffer.readableBytes == bytes.count)
            return error
        }
    }

    /// `valid` with the options area replaced by `options`.
    func withOptions(_ options: [UInt8]) -> [UInt8] { Array(valid.prefix(240)) + options }

    @Test func refusesShortLongAndForeignPackets() {
        #expect(decode(Array(valid.prefix(239))) == .truncated(length: 239))
        #expect(decode([]) == .truncated(length: 0))
        #expect(decode(valid + Array(repeating: 0, count: 16384)) == .oversized(length: valid.count + 16384))
        var badOp = valid
        badOp[0] = 3
        #expect(decode(badOp) == .unknownOperation(3))
        var longHardware = valid
        longHardware[2] = 17
        #expect(decode(longHardware) == .hardwareAddressTooLong(17))
        var bootp = valid
        bootp[236] = 0
        #expect(decode(bootp) == .badMagicCookie([0, 130, 83, 99]))
    }

    @Test func refusesOptionsThatRunPastTheirField() {
        #expect(
            decode(withOptions([53, 1, 1, 61, 7, 1, 2]))
                == .optionOverrunsField(code: 61, length: 7, available: 2, field: .options))
        #expect(decode(withOptions([53, 1, 1, 12])) == .missingOptionLength(code: 12, field: .options))
    }

    @Test func refusesOverloadLoopsAndBadOverloadValues() {
        #expect(decode(withOptions([52, 1, 4, 255])) == .badOverload([4]))
        #expect(decode(withOptions([52, 0, 255])) == .badOverload([]))
        var loop = withOptions([53, 1, 1, 52, 1, 1, 255])
        loop[108] = 52
        loop[109] = 1
        loop[110] = 3
        #expect(decode(loop) == .overloadOutsideOptions(field: .file))
    }

    @Test func acceptsPaddingZeroLengthOptionsAndAMissingEnd() throws {
        var buffer = ByteBuffer(bytes: withOptions([0, 0, 53, 1, 3, 80, 0]))
        let message = try buffer.readDHCPMessage()
        #expect(message.options.messageType == .request)
        #expect(message.options[DHCPOptionCode(80)] == [])
    }

    @Test func ignoresBytesAfterTheEndOption() throws {
        var buffer = ByteBuffer(bytes: withOptions([53, 1, 1, 255, 61, 200]))
        #expect(try buffer.readDHCPMessage().options.codes == [.messageType])
    }

    @Test func survivesRandomBytes() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            var bytes = valid
            for _ in 0..<8 {
                let index = Int.random(in: 0..<bytes.count, using: &generator)
                bytes[index] = UInt8.random(in: 0...255, using: &generator)
            }
            bytes = Array(bytes.prefix(Int.random(in: 200...bytes.count, using: &generator)))
            var buffer = ByteBuffer(bytes: bytes)
            _ = try? buffer.readDHCPMessage()
        }
    }
}
