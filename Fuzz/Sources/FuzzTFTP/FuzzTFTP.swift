import NIOCore

/// libFuzzer entry point: one input is one UDP datagram to the TFTP server; `TFTPFuzzHarness` says what is
/// checked.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTFTPDatagram(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = TFTPFuzzHarness.run(ByteBuffer(bytes: UnsafeBufferPointer(start: data, count: size)))
    return 0
}
