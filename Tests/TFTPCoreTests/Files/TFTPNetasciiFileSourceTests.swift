import NIOCore
import Testing

@testable import TFTPCore

/// netascii conversion streamed block by block (RFC 1350 §5): LF → CR LF, CR → CR NUL, converted as it is read so
/// that opening a file costs nothing and each block costs about one chunk of conversion.
struct TFTPNetasciiFileSourceTests {
    /// Counts the bytes read from the file underneath.
    struct CountingFile: TFTPSizedFileSource {
        final class Counter: @unchecked Sendable { var bytesRead = 0 }
        let file: TFTPSizedFileSource & Sendable
        let counter = Counter()
        var byteCount: UInt64 { file.byteCount }

        func read(at offset: UInt64, length: Int, into buffer: inout ByteBuffer) throws {
            counter.bytesRead += length
            var file = file
            try file.read(at: offset, length: length, into: &buffer)
        }
    }

    @Test func encodingRules() {
        #expect(NetasciiEncoding.encode(Array("a\nb\rc\r\n".utf8)) == [0x61, 13, 10, 0x62, 13, 0, 0x63, 13, 0, 13, 10])
    }

    /// Reads `blockSize` blocks until a short one, each one twice (as a retransmission would).
    func readInBlocks(_ source: inout TFTPNetasciiFileSource<some TFTPSizedFileSource>, blockSize: Int) throws
        -> [UInt8]
    {
        var assembled: [UInt8] = []
        var offset: UInt64 = 0
        while true {
            var retransmitted = ByteBuffer()
            try source.read(at: offset, length: blockSize, into: &retransmitted)
            var block = ByteBuffer()
            try source.read(at: offset, length: blockSize, into: &block)
            #expect(block == retransmitted)
            assembled += block.readableBytesView
            offset += UInt64(block.readableBytes)
            if block.readableBytes < blockSize { return assembled }
        }
    }

    /// Reading in blocks of every size from 1 to 9, including pairs split across blocks, retransmission re-reads and
    /// a tiny chunk size, always yields the whole encoding, and the first short block marks its end.
    @Test func blockReadsReassembleTheEncoding() throws {
        let text = Array("line one\nline two\r\n\n\r\rend\n".utf8)
        let expected = NetasciiEncoding.encode(text)
        for blockSize in 1...9 {
            var source = TFTPNetasciiFileSource(encoding: TFTPInMemoryFile(bytes: text), chunkSize: 3)
            #expect(try readInBlocks(&source, blockSize: blockSize) == expected, "block size \(blockSize)")
        }
    }

    /// A stream whose encoding is a multiple of the block size ends with an empty block.
    @Test func anExactMultipleEndsWithAnEmptyRead() throws {
        var source = TFTPNetasciiFileSource(encoding: TFTPInMemoryFile(bytes: Array("ab\n".utf8)))
        var buffer = ByteBuffer()
        try source.read(at: 0, length: 4, into: &buffer)
        #expect(Array(buffer.readableBytesView) == [0x61, 0x62, 13, 10])
        buffer.clear()
        try source.read(at: 4, length: 4, into: &buffer)
        #expect(buffer.readableBytes == 0)
    }

    /// Opening reads nothing, and a block deep into a big file costs about one chunk of reading, not the file up to
    /// it: no request or block can keep a thread converting a whole file (a stall is a read count that grew).
    @Test func conversionIsBoundedPerBlock() throws {
        let file = CountingFile(file: SyntheticFileSource(byteCount: 64 << 20))
        var source = TFTPNetasciiFileSource(encoding: file, chunkSize: 4096)
        #expect(file.counter.bytesRead == 0, "opening read nothing")
        var offset: UInt64 = 0
        var buffer = ByteBuffer()
        for _ in 0..<2000 {
            buffer.clear()
            let before = file.counter.bytesRead
            try source.read(at: offset, length: 512, into: &buffer)
            #expect(buffer.readableBytes == 512)
            #expect(file.counter.bytesRead - before <= 4096, "one block read at most one chunk")
            offset += 512
        }
        #expect(file.counter.bytesRead < 2 << 20, "2,000 blocks read about their own bytes, not the 64 MiB file")
    }

    @Test func netasciiTransferOfAFileDrivenEndToEnd() throws {
        let text = Array(String(repeating: "menu label x\n", count: 100).utf8)
        var source = TFTPNetasciiFileSource(encoding: TFTPInMemoryFile(bytes: text))
        var transfer = TFTPReadTransfer(
            request: TFTPRequest(filename: "x", mode: .netascii), transferSize: source.knownByteCount,
            interfaceMTU: nil)
        #expect(transfer.blockCount == nil)
        var actions = transfer.start(now: instant(0))
        var received: [UInt8] = []
        while actions.finish == nil {
            let blocks = try #require(actions.dataBlocks)
            var lastNumber = blocks[0].blockNumber
            for block in blocks {
                var payload = ByteBuffer()
                try source.read(at: block.offset, length: block.length, into: &payload)
                received += payload.readableBytesView
                lastNumber = block.blockNumber
                if payload.readableBytes < block.length {
                    transfer.reachedEndOfStream(size: block.offset + UInt64(payload.readableBytes))
                    break
                }
            }
            actions = transfer.receivedAcknowledgement(block: lastNumber, now: instant(0))
        }
        #expect(received == NetasciiEncoding.encode(text))
        #expect(received.count == 1400)
        #expect(transfer.blockCount == 3)
        #expect(actions.finish?.outcome == .completed(finalAcknowledgementReceived: true))
        #expect(actions.finish?.statistics.bytesAcknowledged == 1400)
    }
}
