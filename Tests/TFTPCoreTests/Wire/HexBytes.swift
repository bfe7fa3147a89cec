import NIOCore
import TFTPCore

/// Golden bytes written as hex, so expected wire images do not depend on the codec under test.
func hexBuffer(_ hex: String) -> ByteBuffer {
    ByteBuffer(bytes: hexBytes(hex))
}

func hexBytes(_ hex: String) -> [UInt8] {
    let digits = Array(hex.filter { !$0.isWhitespace })
    precondition(digits.count.isMultiple(of: 2), "hex needs two digits per byte")
    return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(digits[$0...$0 + 1]), radix: 16)! }
}

func encoded(_ packet: TFTPPacket) -> [UInt8] {
    var buffer = ByteBuffer()
    buffer.writeTFTPPacket(packet)
    return Array(buffer.readableBytesView)
}
