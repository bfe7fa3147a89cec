import CTFTPSocket
import NIOCore
import TFTPCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A socket address as the kernel hands it over (`sockaddr_storage`), so a transfer compares each datagram's
/// sender with its client's TID byte for byte instead of building a `SocketAddress` (and a string) per datagram.
struct TFTPPeerAddress {
    var storage = sockaddr_storage()
    var length = socklen_t(0)

    init() {}

    init(_ address: SocketAddress) {
        address.withSockAddr { pointer, size in
            withUnsafeMutableBytes(of: &storage) { target in
                target.copyMemory(from: UnsafeRawBufferPointer(start: pointer, count: size))
            }
            length = socklen_t(size)
        }
    }

    /// Same address and port (the TID of RFC 1350 §4).
    func isSamePeer(as other: TFTPPeerAddress) -> Bool {
        withUnsafePointer(to: storage) { mine in
            withUnsafePointer(to: other.storage) { theirs in ctftp_same_peer(mine, theirs) != 0 }
        }
    }

    /// Runs `body` with the address as a `sockaddr` pointer and length, for sendto.
    func withSocketAddress<Result>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> Result) -> Result {
        withUnsafeBytes(of: storage) { bytes in
            body(bytes.baseAddress!.assumingMemoryBound(to: sockaddr.self), length)
        }
    }
}
