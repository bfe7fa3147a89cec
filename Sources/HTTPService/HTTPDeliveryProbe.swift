import NIOCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// How many bytes of a connection's responses the client has acknowledged, from Linux's `TCP_INFO`: the proof that a
/// slow client is still reading although no `FileRegion` has finished (a few megabytes of socket buffer can take
/// longer than `sendStallTimeout` to drain at a slow client's pace, docs/protocol.md, "HTTP limits").
enum HTTPDeliveryProbe {
    /// The first 128 bytes of Linux's `struct tcp_info` (include/uapi/linux/tcp.h): 8 one-byte fields, 24 `__u32`,
    /// then `__u64` `tcpi_pacing_rate`, `tcpi_max_pacing_rate`, `tcpi_bytes_acked` at byte 120. The kernel copies
    /// at most the length asked for, so a shorter buffer than its full struct is fine.
    typealias TCPInfoPrefix = (
        UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
        UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64
    )

    /// The bytes acknowledged so far, or `nil` where `TCP_INFO` is not available.
    static func bytesAcknowledged(on channel: any Channel) -> EventLoopFuture<UInt64?> {
        #if os(Linux)
            guard let provider = channel as? any SocketOptionProvider else {
                return channel.eventLoop.makeSucceededFuture(nil)
            }
            let info: EventLoopFuture<TCPInfoPrefix> = provider.unsafeGetSocketOption(
                level: SocketOptionLevel(IPPROTO_TCP), name: SocketOptionName(TCP_INFO))
            return info.map { Optional($0.15) }.recover { _ in nil }
        #else
            return channel.eventLoop.makeSucceededFuture(nil)
        #endif
    }
}
