extension TFTPPacket {
    /// The block number of `datagram` when it is an ACK, read straight from its bytes; `nil` for anything else,
    /// which then goes through `readTFTPPacket`.
    ///
    /// A lock-step transfer receives one ACK per block, and building a `ByteBuffer` for each is measurable in a
    /// boot storm. The answer is the codec's for every datagram it accepts as an ACK: the opcode, the block number,
    /// and trailing bytes ignored, within `maximumLength`.
    public static func acknowledgedBlock(in datagram: UnsafeRawBufferPointer) -> UInt16? {
        guard datagram.count >= 4, datagram.count <= maximumLength, datagram[0] == 0,
            datagram[1] == UInt8(TFTPOpcode.acknowledgement.rawValue)
        else { return nil }
        return UInt16(datagram[2]) << 8 | UInt16(datagram[3])
    }
}
