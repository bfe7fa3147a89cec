import NIOCore

/// libFuzzer entry point: one input is one UDP datagram to port 67 (or 4011); `DHCPFuzzHarness` says what is
/// checked.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDHCPDatagram(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = DHCPFuzzHarness.run(ByteBuffer(bytes: UnsafeBufferPointer(start: data, count: size)))
    return 0
}
