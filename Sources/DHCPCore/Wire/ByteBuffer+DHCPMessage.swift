import Inventory
import NIOCore

extension ByteBuffer {
    /// Reads all readable bytes as one DHCP message (a UDP datagram carries exactly one).
    ///
    /// Options are read from the options field, then from `file` and `sname` when option 52 says so (RFC 2131
    /// §4.1 order); repeated codes are concatenated (RFC 3396). On error the reader index is left unchanged.
    public mutating func readDHCPMessage() throws(DHCPDecodingError) -> DHCPMessage {
        guard readableBytes <= DHCPMessage.maximumLength else { throw .oversized(length: readableBytes) }
        guard let bytes = getBytes(at: readerIndex, length: readableBytes) else { throw .truncated(length: 0) }
        let message = try DHCPMessageDecoder.decode(bytes)
        moveReaderIndex(forwardBy: bytes.count)
        return message
    }

    /// Writes `message` within `maximumLength` bytes (the client's option 57 less IP and UDP headers, or 548).
    ///
    /// Options that do not fit the options field continue in `file`, then `sname`, when those carry no name, and
    /// option 52 says so (RFC 2132 §9.3). Short messages are padded to the 300-byte BOOTP minimum.
    @discardableResult
    public mutating func writeDHCPMessage(
        _ message: DHCPMessage,
        maximumLength: Int = DHCPMessage.defaultMaximumLength
    )
        throws(DHCPEncodingError) -> Int
    {
        let placement = try DHCPOptionPlacement(message: message, maximumLength: maximumLength)
        let start = writerIndex
        writeInteger(message.operation.rawValue)
        writeInteger(message.hardwareType)
        writeInteger(message.hardwareAddressLength)
        writeInteger(message.hops)
        writeInteger(message.transactionID)
        writeInteger(message.secondsElapsed)
        writeInteger(message.flags)
        for address in [message.clientAddress, message.yourAddress, message.serverAddress, message.gatewayAddress] {
            writeInteger(address.rawValue)
        }
        writeFixed(message.clientHardwareAddress, length: 16)
        writeFixed(placement.sname ?? message.serverName, length: 64)
        writeFixed(placement.file ?? message.bootFileName, length: 128)
        writeBytes(DHCPMessage.magicCookie)
        writeBytes(placement.options)
        let written = writerIndex - start
        if written < DHCPMessage.minimumLength {
            writeRepeatingByte(0, count: DHCPMessage.minimumLength - written)
        }
        return writerIndex - start
    }

    /// `bytes` cut or zero-padded to exactly `length`.
    private mutating func writeFixed(_ bytes: [UInt8], length: Int) {
        let used = bytes.prefix(length)
        writeBytes(used)
        writeRepeatingByte(0, count: length - used.count)
    }
}

/// The pure byte-level decoding behind `readDHCPMessage()`.
enum DHCPMessageDecoder {
    static func decode(_ bytes: [UInt8]) throws(DHCPDecodingError) -> DHCPMessage {
        let optionsStart = DHCPMessage.headerLength + DHCPMessage.magicCookie.count
        guard bytes.count >= optionsStart else { throw .truncated(length: bytes.count) }
        guard let operation = DHCPMessage.Operation(rawValue: bytes[0]) else { throw .unknownOperation(bytes[0]) }
        guard bytes[2] <= 16 else { throw .hardwareAddressTooLong(bytes[2]) }
        let cookie = Array(bytes[236..<240])
        guard cookie == DHCPMessage.magicCookie else { throw .badMagicCookie(cookie) }

        var message = DHCPMessage(operation: operation, transactionID: uint32(bytes, at: 4))
        message.hardwareType = bytes[1]
        message.hardwareAddressLength = bytes[2]
        message.hops = bytes[3]
        message.secondsElapsed = UInt16(bytes[8]) << 8 | UInt16(bytes[9])
        message.flags = UInt16(bytes[10]) << 8 | UInt16(bytes[11])
        message.clientAddress = IPv4Address(rawValue: uint32(bytes, at: 12))
        message.yourAddress = IPv4Address(rawValue: uint32(bytes, at: 16))
        message.serverAddress = IPv4Address(rawValue: uint32(bytes, at: 20))
        message.gatewayAddress = IPv4Address(rawValue: uint32(bytes, at: 24))
        message.clientHardwareAddress = Array(bytes[28..<44])
        let sname = bytes[44..<108]
        let file = bytes[108..<236]

        var options = DHCPOptions()
        try readOptions(bytes[optionsStart...], field: .options, into: &options)
        if let overload = options[.overloadCode] {
            guard overload.count == 1, (1...3).contains(overload[0]) else { throw .badOverload(overload) }
        }
        let overload = options.overload
        options[.overloadCode] = nil
        if overload.file { try readOptions(file, field: .file, into: &options) }
        if overload.sname { try readOptions(sname, field: .sname, into: &options) }
        message.bootFileName = overload.file ? [] : Array(file.prefix { $0 != 0 })
        message.serverName = overload.sname ? [] : Array(sname.prefix { $0 != 0 })
        message.options = options
        return message
    }

    /// Reads code-length-value options until option 255 or the end of the field; option 0 is padding.
    private static func readOptions(
        _ field: ArraySlice<UInt8>, field name: DHCPOptionField,
        into options: inout DHCPOptions
    ) throws(DHCPDecodingError) {
        var index = field.startIndex
        while index < field.endIndex {
            let code = field[index]
            if code == DHCPOptionCode.end.rawValue { return }
            if code == DHCPOptionCode.pad.rawValue {
                index += 1
                continue
            }
            guard index + 1 < field.endIndex else { throw .missingOptionLength(code: code, field: name) }
            let length = Int(field[index + 1])
            let valueStart = index + 2
            let available = field.endIndex - valueStart
            guard length <= available else {
                throw .optionOverrunsField(code: code, length: length, available: available, field: name)
            }
            if code == DHCPOptionCode.overloadCode.rawValue, name != .options {
                throw .overloadOutsideOptions(field: name)
            }
            options.append(DHCPOptionCode(code), Array(field[valueStart..<(valueStart + length)]))
            index = valueStart + length
        }
    }

    private static func uint32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        bytes[offset..<(offset + 4)].reduce(0) { $0 << 8 | UInt32($1) }
    }
}

extension DHCPOptionCode {
    /// Option 52 under the name the codec uses internally.
    static let overloadCode = DHCPOptionCode.overload
}
