import NIOCore

extension ByteBuffer {
    /// Decodes the whole readable region as one TFTP packet (one UDP datagram is one packet, RFC 1350 §5).
    ///
    /// On success every readable byte is consumed; on failure the reader index does not move, so the caller can
    /// still log or dump the datagram.
    public mutating func readTFTPPacket() throws(TFTPDecodingError) -> TFTPPacket {
        var copy = self
        let packet = try copy.decodeTFTPPacket()
        self = copy
        return packet
    }

    /// Appends `packet` in wire format.
    ///
    /// A NUL inside a text field would end that field early on the wire, so NULs in strings are dropped rather than
    /// letting a message (which may quote a client's input) split into extra fields.
    @discardableResult
    public mutating func writeTFTPPacket(_ packet: TFTPPacket) -> Int {
        let start = writerIndex
        writeInteger(packet.opcode.rawValue)
        switch packet {
        case .readRequest(let request), .writeRequest(let request):
            writeTFTPString(request.filename)
            writeTFTPString(request.mode.rawValue)
            writeTFTPOptions(request.options)
        case .data(let block, var payload):
            writeInteger(block)
            writeBuffer(&payload)
        case .acknowledgement(let block):
            writeInteger(block)
        case .error(let code, let message):
            writeInteger(code.rawValue)
            writeTFTPString(message)
        case .optionAcknowledgement(let options):
            writeTFTPOptions(options)
        }
        return writerIndex - start
    }

    private mutating func writeTFTPOptions(_ options: [TFTPOption]) {
        for option in options {
            writeTFTPString(option.name)
            writeTFTPString(option.value)
        }
    }

    private mutating func writeTFTPString(_ text: String) {
        writeBytes(text.utf8.lazy.filter { $0 != 0 })
        writeInteger(UInt8(0))
    }

    private mutating func decodeTFTPPacket() throws(TFTPDecodingError) -> TFTPPacket {
        let length = readableBytes
        guard length <= TFTPPacket.maximumLength else { throw .oversizedPacket(length: length) }
        guard let rawOpcode = readInteger(as: UInt16.self) else { throw .truncatedPacket(length: length) }
        guard let opcode = TFTPOpcode(rawValue: rawOpcode) else { throw .unknownOpcode(rawOpcode) }
        switch opcode {
        case .readRequest:
            return .readRequest(try readTFTPRequest())
        case .writeRequest:
            return .writeRequest(try readTFTPRequest())
        case .data:
            guard let block = readInteger(as: UInt16.self) else { throw .truncatedPacket(length: length) }
            return .data(block: block, payload: readSlice(length: readableBytes)!)
        case .acknowledgement:
            // Trailing bytes after the block number are ignored: they carry no meaning and some stacks pad.
            guard let block = readInteger(as: UInt16.self) else { throw .truncatedPacket(length: length) }
            moveReaderIndex(forwardBy: readableBytes)
            return .acknowledgement(block: block)
        case .error:
            guard let rawCode = readInteger(as: UInt16.self) else { throw .truncatedPacket(length: length) }
            guard let code = TFTPErrorCode(rawValue: rawCode) else { throw .unknownErrorCode(rawCode) }
            return .error(code: code, message: readTFTPErrorMessage())
        case .optionAcknowledgement:
            return .optionAcknowledgement(try readTFTPOptions())
        }
    }

    private mutating func readTFTPRequest() throws(TFTPDecodingError) -> TFTPRequest {
        let filename = try readTFTPString(.filename)
        guard !filename.isEmpty else { throw .emptyFilename }
        let modeName = try readTFTPString(.mode)
        guard let mode = TFTPTransferMode(wireName: modeName) else { throw .unsupportedMode(modeName) }
        return TFTPRequest(filename: filename, mode: mode, options: try readTFTPOptions())
    }

    private mutating func readTFTPOptions() throws(TFTPDecodingError) -> [TFTPOption] {
        var options: [TFTPOption] = []
        while readableBytes > 0 {
            let name = try readTFTPString(.optionName)
            guard !name.isEmpty else { throw .emptyOptionName }
            guard readableBytes > 0 else { throw .optionWithoutValue(name: name.lowercased()) }
            let value = try readTFTPString(.optionValue)
            options.append(TFTPOption(name: name, value: value))
        }
        return options
    }

    /// A NUL-terminated 7-bit ASCII string; the NUL is consumed.
    private mutating func readTFTPString(_ field: TFTPPacketField) throws(TFTPDecodingError) -> String {
        guard let terminator = readableBytesView.firstIndex(of: 0) else { throw .missingNULTerminator(field: field) }
        let bytes = readBytes(length: terminator - readerIndex)!
        moveReaderIndex(forwardBy: 1)
        guard bytes.allSatisfy({ $0 < 0x80 }) else { throw .nonASCIIField(field: field, bytes: bytes) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Error messages are only for people, so a missing terminator or non-ASCII text is accepted rather than losing
    /// the error itself: the client is ending the transfer either way (RFC 1350 §7).
    private mutating func readTFTPErrorMessage() -> String {
        let end = readableBytesView.firstIndex(of: 0) ?? writerIndex
        let bytes = readBytes(length: end - readerIndex)!
        moveReaderIndex(forwardBy: readableBytes)
        return String(decoding: bytes, as: UTF8.self)
    }
}
