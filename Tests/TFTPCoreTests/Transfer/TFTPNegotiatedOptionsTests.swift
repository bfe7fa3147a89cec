import NIOCore
import Testing

@testable import TFTPCore

/// RFC 2347 negotiation: echo only requested-and-accepted options, clamp rather than NAK (docs/protocol.md, "Option
/// negotiation (RFC 2347)").
struct TFTPNegotiatedOptionsTests {
    private func negotiate(
        _ options: [(String, String)], mode: TFTPTransferMode = .octet, size: UInt64 = 27, mtu: Int? = 1500,
        limits: TFTPTransferLimits = .init()
    ) -> TFTPNegotiatedOptions {
        let request = TFTPRequest(
            filename: "f", mode: mode, options: options.map { TFTPOption(name: $0.0, value: $0.1) })
        return TFTPNegotiatedOptions(request: request, transferSize: size, interfaceMTU: mtu, limits: limits)
    }

    @Test func pxelinuxGetsExactlyWhatItAsked() {
        let result = negotiate([("tsize", "0"), ("blksize", "1408")], size: 1234)
        #expect(
            result.acknowledgedOptions == [.init(name: "tsize", value: "1234"), .init(name: "blksize", value: "1408")])
        #expect(result.blockSize == 1408)
        #expect(result.windowSize == 1)
    }

    @Test func edk2WindowedRequest() {
        let result = negotiate([("windowsize", "4"), ("blksize", "1468"), ("tsize", "0")], size: 99)
        #expect(result.acknowledgedOptions.map(\.description) == ["windowsize=4", "blksize=1468", "tsize=99"])
        #expect(result.windowSize == 4)
        #expect(result.blockSize == 1468)
    }

    @Test func unknownOptionsAreIgnoredNotEchoed() {
        let result = negotiate([("rollover", "0"), ("multicast", ""), ("utimeout", "500")])
        #expect(result.acknowledgedOptions.isEmpty)
        #expect(result.ignoredOptions.map(\.name) == ["rollover", "multicast", "utimeout"])
        #expect(result.blockSize == 512)
    }

    @Test func blockSizeIsClampedToMTUAndCeiling() {
        #expect(negotiate([("blksize", "65464")], mtu: 1500).blockSize == 1468)
        #expect(negotiate([("blksize", "65464")], mtu: 9000).blockSize == 8968)
        #expect(negotiate([("blksize", "70000")], mtu: nil).blockSize == 65464)
        #expect(negotiate([("blksize", "1468")], limits: .init(blockSizeCeiling: 1388)).blockSize == 1388)
        #expect(
            negotiate([("blksize", "1468")], limits: .init(blockSizeCeiling: 1388)).acknowledgedOptions
                == [.init(name: "blksize", value: "1388")])
        #expect(negotiate([("blksize", "8")]).blockSize == 8)
    }

    @Test func tooSmallOrMalformedBlockSizeIsIgnoredNotRefused() {
        for value in ["7", "0", "-1", "abc", "", " 512", "1e3", "99999999999"] {
            let result = negotiate([("blksize", value)])
            #expect(result.acknowledgedOptions.isEmpty, "blksize \(value)")
            #expect(result.blockSize == 512)
        }
    }

    @Test func transferSizeOnlyInOctetMode() {
        #expect(negotiate([("tsize", "0")], mode: .netascii).acknowledgedOptions.isEmpty)
        #expect(
            negotiate([("tsize", "0")], mode: .octet, size: 0).acknowledgedOptions == [.init(name: "tsize", value: "0")]
        )
    }

    @Test func timeoutRange() {
        #expect(negotiate([("timeout", "0")]).acknowledgedOptions.isEmpty)
        #expect(negotiate([("timeout", "256")]).acknowledgedOptions.isEmpty)
        #expect(negotiate([("timeout", "256")]).retransmitTimeout == .seconds(1))
        let accepted = negotiate([("timeout", "5")])
        #expect(accepted.acknowledgedOptions == [.init(name: "timeout", value: "5")])
        #expect(accepted.retransmitTimeout == .seconds(5))
        #expect(negotiate([("timeout", "255")]).retransmitTimeout == .seconds(255))
    }

    @Test func windowSizeIsCappedAndIgnoredWhenInvalid() {
        #expect(negotiate([("windowsize", "64")]).windowSize == 32)
        #expect(negotiate([("windowsize", "64")]).acknowledgedOptions == [.init(name: "windowsize", value: "32")])
        #expect(negotiate([("windowsize", "0")]).acknowledgedOptions.isEmpty)
        #expect(negotiate([("windowsize", "65536")]).acknowledgedOptions.isEmpty)
        #expect(negotiate([("windowsize", "16")], limits: .init(windowSizeCeiling: 8)).windowSize == 8)
    }

    @Test func windowSizeIsCappedByBytesInFlight() {
        let limits = TFTPTransferLimits(windowSizeCeiling: 1000, maximumBytesInFlight: 1024 * 1024)
        let result = negotiate([("blksize", "65464"), ("windowsize", "64")], mtu: nil, limits: limits)
        #expect(result.blockSize == 65464)
        #expect(result.windowSize == 16)
        let tiny = negotiate([("windowsize", "8")], limits: .init(maximumBytesInFlight: 100))
        #expect(tiny.windowSize == 1)
    }

    @Test func netasciiKeepsWindowOne() {
        let result = negotiate([("windowsize", "8"), ("blksize", "1024")], mode: .netascii)
        #expect(result.windowSize == 1)
        #expect(result.acknowledgedOptions == [.init(name: "blksize", value: "1024")])
    }

    @Test func firstOfDuplicateOptionsWins() {
        let result = negotiate([("blksize", "1024"), ("tsize", "0"), ("blksize", "1408")], size: 5)
        #expect(result.acknowledgedOptions.map(\.description) == ["blksize=1024", "tsize=5"])
        #expect(result.ignoredOptions == [.init(name: "blksize", value: "1408")])
        #expect(result.blockSize == 1024)
    }
}
