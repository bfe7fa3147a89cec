import NIOCore
import Testing

@testable import TFTPCore

/// The read-ahead in front of a transfer's file: the same bytes as reading the file block by block, in one read of
/// the file per chunk, including going back for a retransmission, the last short block, and a file that turns out
/// shorter than announced.
@Suite struct TFTPReadAheadSourceTests {
    /// Counts the reads that reach the file; `truncatedAt` makes reads past it fail like a truncated file.
    struct CountingSource: TFTPSizedFileSource {
        final class Counter { var reads = 0 }
        let file: SyntheticFileSource
        var truncatedAt: UInt64?
        let counter = Counter()
        var byteCount: UInt64 { file.byteCount }

        func read(at offset: UInt64, length: Int, into buffer: inout ByteBuffer) throws {
            counter.reads += 1
            if let truncatedAt, offset + UInt64(length) > truncatedAt {
                throw TFTPFileReadError.shortRead(offset: offset, requested: length, available: 0)
            }
            try file.read(at: offset, length: length, into: &buffer)
        }
    }

    func blocks(of source: inout some TFTPFileSource, size: Int, from: UInt64 = 0) throws -> [UInt8] {
        var out = ByteBuffer()
        var offset = from
        let byteCount = try #require(source.knownByteCount)
        while offset < byteCount {
            let length = Int(min(UInt64(size), byteCount - offset))
            try source.read(at: offset, length: length, into: &out)
            offset += UInt64(length)
        }
        return Array(out.readableBytesView)
    }

    @Test func sequentialBlocksAreTheFilesBytesInOneReadPerChunk() throws {
        let file = SyntheticFileSource(byteCount: 1_000_000)
        let counting = CountingSource(file: file)
        var readAhead = TFTPReadAheadSource(counting, chunkSize: 32 * 1024)
        let served = try blocks(of: &readAhead, size: 1468)
        var direct = file as any TFTPFileSource
        #expect(served == (try blocks(of: &direct, size: 1468)))
        let reads = counting.counter.reads
        #expect(reads <= 1_000_000 / (32 * 1024) + 2, "one read per 32 KiB chunk, not one per block (\(reads))")
    }

    @Test func goingBackForARetransmissionReadsTheSameBytes() throws {
        let file = SyntheticFileSource(byteCount: 200_000)
        var readAhead = TFTPReadAheadSource(CountingSource(file: file), chunkSize: 16 * 1024)
        _ = try blocks(of: &readAhead, size: 512)
        var again = ByteBuffer()
        try readAhead.read(at: 512 * 7, length: 512, into: &again)
        var expected = ByteBuffer()
        try file.read(at: 512 * 7, length: 512, into: &expected)
        #expect(again == expected)
    }

    @Test func aFileShorterThanAnnouncedFailsOnlyWhereItEnds() throws {
        let file = SyntheticFileSource(byteCount: 100_000)
        var readAhead = TFTPReadAheadSource(CountingSource(file: file, truncatedAt: 50_000), chunkSize: 32 * 1024)
        var buffer = ByteBuffer()
        try readAhead.read(at: 0, length: 1468, into: &buffer)
        #expect(throws: TFTPFileReadError.self) { try readAhead.read(at: 49_000, length: 1468, into: &buffer) }
        // No stale chunk after a failed refill: the same read fails again instead of serving old bytes.
        #expect(throws: TFTPFileReadError.self) { try readAhead.read(at: 49_000, length: 1468, into: &buffer) }
        var start = ByteBuffer()
        try readAhead.read(at: 1468, length: 1468, into: &start)
        var expected = ByteBuffer()
        try file.read(at: 1468, length: 1468, into: &expected)
        #expect(start == expected)
    }

    @Test func anEmptyFinalBlockReadsNothing() throws {
        var readAhead = TFTPReadAheadSource(CountingSource(file: SyntheticFileSource(byteCount: 1024)))
        var buffer = ByteBuffer()
        try readAhead.read(at: 1024, length: 0, into: &buffer)
        #expect(buffer.readableBytes == 0)
    }

    /// The bytes a window is sent from: a range crossing the end of the current chunk is read again from its start,
    /// so it comes out contiguous; one longer than a chunk grows it.
    @Test func contiguousRangesAreTheFilesBytesEvenAcrossAChunkEnd() throws {
        let file = SyntheticFileSource(byteCount: 100_000)
        let counting = CountingSource(file: file)
        var readAhead = TFTPReadAheadSource(counting, chunkSize: 10_000)
        for (offset, length) in [(0, 4000), (4000, 4000), (8000, 4000), (30_000, 25_000)] {
            let served = try readAhead.withContiguousBytes(at: UInt64(offset), length: length) { Array($0) }
            var expected = ByteBuffer()
            try file.read(at: UInt64(offset), length: length, into: &expected)
            #expect(served == Array(expected.readableBytesView), "bytes \(offset)..<\(offset + length)")
        }
        #expect(counting.counter.reads == 3, "one read for the first two ranges, one for each of the others")
    }
}
