import Testing

@testable import TFTPCore

/// RFC 2347 §2: option names are case-insensitive, values are not touched.
struct TFTPOptionTests {
    @Test func nameIsLowerCasedValueKept() {
        let option = TFTPOption(name: "BlkSize", value: "1408")
        #expect(option.name == "blksize")
        #expect(option == TFTPOption(name: "blksize", value: "1408"))
        #expect(TFTPOption(name: "x", value: "AbC").value == "AbC")
        #expect(option.description == "blksize=1408")
    }

    @Test func wellKnownNames() {
        #expect(
            [TFTPOption.blockSizeName, TFTPOption.timeoutName, TFTPOption.transferSizeName, TFTPOption.windowSizeName]
                == ["blksize", "timeout", "tsize", "windowsize"])
    }
}
