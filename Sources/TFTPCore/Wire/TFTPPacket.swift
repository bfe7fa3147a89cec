import NIOCore

/// Every TFTP packet a server sends or receives (RFC 1350 §5, RFC 2347 §2).
public enum TFTPPacket: Hashable, Sendable {
    /// RRQ, opcode 1.
    case readRequest(TFTPRequest)
    /// WRQ, opcode 2. Rackboot only serves reads but must still recognise (and refuse) writes.
    case writeRequest(TFTPRequest)
    /// DATA, opcode 3: 0 to blksize payload bytes; a payload shorter than blksize ends the transfer.
    case data(block: UInt16, payload: ByteBuffer)
    /// ACK, opcode 4. Block 0 acknowledges an OACK (RFC 2347 §2).
    case acknowledgement(block: UInt16)
    /// ERROR, opcode 5: ends the transfer (RFC 1350 §7).
    case error(code: TFTPErrorCode, message: String)
    /// OACK, opcode 6: the options the server accepted, with their final values.
    case optionAcknowledgement([TFTPOption])

    public var opcode: TFTPOpcode {
        switch self {
        case .readRequest: return .readRequest
        case .writeRequest: return .writeRequest
        case .data: return .data
        case .acknowledgement: return .acknowledgement
        case .error: return .error
        case .optionAcknowledgement: return .optionAcknowledgement
        }
    }

    /// The largest packet any TFTP peer may send: 4 header bytes plus the RFC 2348 maximum block of 65464.
    public static let maximumLength = 4 + maximumDataPayloadLength
    /// RFC 2348: blksize ranges from 8 to 65464 octets.
    public static let maximumDataPayloadLength = 65464
}
