import NIOCore
import Testing

@testable import TFTP

/// netascii conversion streamed block by block (RFC 1350 §5): LF → CR LF, CR → CR NUL.
struct TFTPNetasciiFileSourceTests {
    @Test func encodingRules() {
        #expect(NetasciiEncoding.encode(Array("a\nb\rc\r\n".utf8)) == [0x61, 13, 10, 0x62, 13, 0, 0x63, 13, 0, 13, 10])
    }

    @Test func sizeIsTheEncodedSize() throws {
        let source = try TFTPNetasciiFileSource(encoding: TFTPInMemoryFile(bytes: Array("ab\ncd\r\n".utf8)))
        #expect(source.byteCount == 10)
    }

    /// Reading in blocks of every size from 1 to 9, including pairs split across blocks, retransmission
    /// re-reads and a tiny chunk size, always yields the whole encoding.
    @Test func blockReadsReassembleTheEncoding() throws {
        let text = Array("line one\nline two\r\n\n\r\rend\n".utf8)
        let expected = NetasciiEncoding.encode(text)
        for blockSize in 1...9 {
            var source = try TFTPNetasciiFileSource(encoding: TFTPInMemoryFile(bytes: text), chunkSize: 3)
            var assembled: [UInt8] = []
            var offset: UInt64 = 0
            while offset < source.byteCount {
                let length = Int(min(UInt64(blockSize), source.byteCount - offset))
                var retransmitted = ByteBuffer()
                try source.read(at: offset, length: length, into: &retransmitted)
                var block = ByteBuffer()
                try source.read(at: offset, length: length, into: &block)
                #expect(block == retransmitted)
                assembled += block.readableBytesView
                offset += UInt64(length)
            }
            #expect(assembled == expected, "block size \(blockSize)")
        }
    }

    @Test func readPastTheEndThrows() throws {
        var source = try TFTPNetasciiFileSource(encoding: TFTPInMemoryFile(bytes: Array("a\n".utf8)))
        var buffer = ByteBuffer()
        #expect(throws: TFTPFileReadError.self) { try source.read(at: 2, length: 2, into: &buffer) }
    }

    @Test func netasciiTransferOfAFileDrivenEndToEnd() throws {
        let text = Array(String(repeating: "menu label x\n", count: 100).utf8)
        var source = try TFTPNetasciiFileSource(encoding: TFTPInMemoryFile(bytes: text))
        var transfer = TFTPReadTransfer(
            request: TFTPRequest(filename: "x", mode: .netascii), transferSize: source.byteCount, interfaceMTU: nil)
        var actions = transfer.start(now: instant(0))
        var received: [UInt8] = []
        while actions.finish == nil {
            let blocks = try #require(actions.dataBlocks)
            for block in blocks {
                var payload = ByteBuffer()
                try source.read(at: block.offset, length: block.length, into: &payload)
                received += payload.readableBytesView
            }
            actions = transfer.receivedAcknowledgement(block: blocks.last!.blockNumber, now: instant(0))
        }
        #expect(received == NetasciiEncoding.encode(text))
        #expect(received.count == 1400)
    }
}
