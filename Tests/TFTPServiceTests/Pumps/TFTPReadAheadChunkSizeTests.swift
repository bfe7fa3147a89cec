import Testing

@testable import TFTPCore
@testable import TFTPService

/// How much a transfer reads ahead per pread: whole blocks, whole windows where they fit, one GSO send's worth for
/// larger windows.
struct TFTPReadAheadChunkSizeTests {
    private func chunkSize(blockSize: Int, windowSize: Int) -> Int {
        var limits = TFTPTransferLimits()
        limits.blockSizeCeiling = 65_464
        limits.windowSizeCeiling = 64
        limits.maximumBytesInFlight = 64 << 20
        let options = TFTPNegotiatedOptions(
            request: TFTPRequest(
                filename: "f", mode: .octet,
                options: [
                    .init(name: "blksize", value: "\(blockSize)"), .init(name: "windowsize", value: "\(windowSize)"),
                ]),
            transferSize: 1 << 30, interfaceMTU: 65_535, limits: limits)
        #expect(options.blockSize == blockSize && options.windowSize == windowSize)
        return TFTPTransferSession.readAheadChunkSize(for: options)
    }

    @Test func lockStepReadsAbout32KiBOfWholeBlocks() {
        #expect(chunkSize(blockSize: 1468, windowSize: 1) == 22 * 1468)
        #expect(chunkSize(blockSize: 512, windowSize: 1) == 64 * 512)
        #expect(chunkSize(blockSize: 8192, windowSize: 1) == 4 * 8192)
    }

    @Test func smallWindowsReadWholeWindows() {
        #expect(chunkSize(blockSize: 1468, windowSize: 16) == 16 * 1468)
        #expect(chunkSize(blockSize: 1468, windowSize: 8) == 16 * 1468)
        #expect(chunkSize(blockSize: 512, windowSize: 4) == 64 * 512)
    }

    @Test func largeWindowsReadWhatOneSegmentedSendCarries() {
        #expect(chunkSize(blockSize: 1468, windowSize: 64) == 44 * 1468)
        #expect(chunkSize(blockSize: 1468, windowSize: 32) == 32 * 1468)
        #expect(chunkSize(blockSize: 8192, windowSize: 32) == 7 * 8192)
        #expect(chunkSize(blockSize: 65_464, windowSize: 1) == 65_464)
    }
}
