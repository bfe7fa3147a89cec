import CTFTPSocket
import NIOCore

/// Opens a transfer's socket: UDP, bound to the address the RRQ arrived on and a fresh port (its TID, RFC 1350 §4).
/// It is deliberately not connected: a datagram from another TID must still arrive, to be answered with ERROR 5
/// while the transfer goes on.
enum TFTPTransferSocket {
    static func open(host: String) throws -> CInt {
        let local = try SocketAddress(ipAddress: host, port: 0)
        let result = local.withSockAddr { address, length in
            ctftp_open_transfer_socket(address, socklen_t(length))
        }
        guard result >= 0 else { throw IOError(errnoCode: -result, reason: "socket/bind") }
        return result
    }
}
