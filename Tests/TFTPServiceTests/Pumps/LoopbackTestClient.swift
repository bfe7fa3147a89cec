import NIOCore
import Testing

@testable import TFTPCore
@testable import TFTPService

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A plain UDP socket on 127.0.0.1 that plays a TFTP client against a transfer pump: it remembers the TID of the
/// first packet it receives and sends its ACKs there. Every receive gives up after 5 s, so a broken pump fails the
/// test instead of hanging it.
final class LoopbackTestClient {
    let descriptor: CInt
    let address: SocketAddress
    /// The transfer's socket, once a packet came from it.
    private(set) var server: SocketAddress?

    /// Bound to `port` on 127.0.0.1 (0: any free port).
    init(port: Int = 0) throws {
        let descriptor = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        self.descriptor = descriptor
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let local = try SocketAddress(ipAddress: "127.0.0.1", port: port)
        let bound = local.withSockAddr { bind(descriptor, $0, socklen_t($1)) }
        guard bound == 0 else { throw IOError(errnoCode: errno, reason: "bind") }
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        let port = withUnsafeBytes(of: storage) { $0.load(fromByteOffset: 2, as: UInt16.self).bigEndian }
        address = try SocketAddress(ipAddress: "127.0.0.1", port: Int(port))
    }

    deinit {
        close(descriptor)
    }

    /// The next datagram's bytes (not decoded), or nil after 5 s of silence.
    func receiveBytes() -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: 65536)
        let count = recv(descriptor, &bytes, bytes.count, 0)
        guard count >= 0 else { return nil }
        return Array(bytes[0..<count])
    }

    /// The next packet and where it came from, or nil after 5 s of silence.
    func receive() throws -> (from: SocketAddress, packet: TFTPPacket)? {
        var bytes = [UInt8](repeating: 0, count: 65536)
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let count = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                recvfrom(descriptor, &bytes, bytes.count, 0, $0, &length)
            }
        }
        guard count >= 0 else { return nil }
        let port = withUnsafeBytes(of: storage) { $0.load(fromByteOffset: 2, as: UInt16.self).bigEndian }
        let peer = try SocketAddress(ipAddress: "127.0.0.1", port: Int(port))
        if server == nil { server = peer }
        var buffer = ByteBuffer(bytes: bytes[0..<count])
        return (peer, try buffer.readTFTPPacket())
    }

    /// The block numbers of the next `count` packets, all of which must be DATA.
    func receiveDataBlocks(_ count: Int) throws -> [UInt16] {
        var blocks: [UInt16] = []
        for _ in 0..<count {
            guard let (_, packet) = try receive(), case .data(let block, _) = packet else { break }
            blocks.append(block)
        }
        return blocks
    }

    func send(_ packet: TFTPPacket, to peer: SocketAddress? = nil) {
        var buffer = ByteBuffer()
        buffer.writeTFTPPacket(packet)
        send(Array(buffer.readableBytesView), to: peer)
    }

    /// Raw bytes, for datagrams that are not TFTP.
    func send(_ bytes: [UInt8], to peer: SocketAddress? = nil) {
        guard let target = peer ?? server else { return }
        _ = target.withSockAddr { address, length in
            sendto(descriptor, bytes, bytes.count, 0, address, socklen_t(length))
        }
    }
}
