import CTFTPSocket
import NIOCore
import TFTPCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A transfer's two UDP sockets on the address the RRQ arrived on and one fresh port (its TID, RFC 1350 §4).
///
/// `transfer` is connected to the client: Linux delivers a datagram to the socket whose 4-tuple matches exactly
/// before an unconnected one on the same port, so the client's ACKs reach it with early demux, and sends need no
/// address and reuse a cached route. `stray` shares the port (both have `SO_REUSEADDR`; the port itself was picked
/// by a bind without it, so no other socket holds it) and is not connected: a datagram from any other TID arrives
/// there and is answered with ERROR 5 from the transfer's port while the transfer goes on.
struct TFTPTransferSockets: Sendable {
    let transfer: CInt
    let stray: CInt

    static func open(host: String, client: SocketAddress) throws -> TFTPTransferSockets {
        let local = try SocketAddress(ipAddress: host, port: 0)
        var transfer: CInt = -1
        var stray: CInt = -1
        let result = local.withSockAddr { localAddress, localLength in
            client.withSockAddr { clientAddress, clientLength in
                ctftp_open_transfer_sockets(
                    localAddress, socklen_t(localLength), clientAddress, socklen_t(clientLength), &transfer, &stray)
            }
        }
        guard result == 0 else { throw IOError(errnoCode: -result, reason: "socket/bind/connect") }
        return TFTPTransferSockets(transfer: transfer, stray: stray)
    }

    func closeBoth() {
        close(transfer)
        close(stray)
    }
}
