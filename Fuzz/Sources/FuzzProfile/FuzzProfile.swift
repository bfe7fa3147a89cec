/// libFuzzer entry point: one input is a profile folder packed into one text; `ProfileFuzzHarness` says what is
/// checked.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzProfileFolder(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = ProfileFuzzHarness.run(UnsafeBufferPointer(start: data, count: size))
    return 0
}
