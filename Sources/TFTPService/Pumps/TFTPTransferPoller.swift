import CTFTPSocket
import TFTPCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// How transfer pumps learn that their sockets have something (`tftp.transfer_io`).
public enum TFTPTransferIO: String, Sendable, CaseIterable {
    /// io_uring where the kernel allows it (Linux 6.1 or later, not disabled by `kernel.io_uring_disabled` or a
    /// seccomp filter), epoll otherwise.
    case automatic = "auto"
    /// epoll only.
    case epoll
}

/// Where one pump waits: an io_uring ring, in which the client's datagrams are received inside the wait itself
/// (one multishot receive per transfer socket; docs/tftp-io.md), or epoll, after which the pump reads each ready
/// socket. Lives on the pump's thread: a ring belongs to the thread that created it.
final class TFTPTransferPoller {
    enum Event {
        /// `descriptor` has data to read: under epoll any watched socket; under io_uring a socket watched with
        /// `watchReadable`, which the pump drains (several arrivals may be reported once).
        case readable(CInt)
        /// A datagram received on a socket watched with `watchDatagrams` (io_uring only): `bytes` holds at most
        /// `TFTPTransferPoller.datagramCapacity` of its `length` bytes and stays valid until the next `wait`.
        case datagram(CInt, bytes: UnsafeRawBufferPointer, length: Int)
        /// A receive on such a socket failed with `errno` (a vanished client's ICMP error).
        case receiveFailed(CInt, errno: CInt)
    }

    private enum Backend {
        case ring(OpaquePointer)
        case epoll(CInt)
    }

    private let backend: Backend
    private let capacity = 256
    private let ringEvents: UnsafeMutablePointer<ctftp_ring_event>
    private let readyDescriptors: UnsafeMutablePointer<CInt>

    /// Why io_uring is not used (`nil` when it is), for the pump's first log line.
    let ringUnavailableReason: String?

    static let datagramCapacity = Int(ctftp_ring_datagram_capacity())

    init(_ io: TFTPTransferIO) {
        ringEvents = .allocate(capacity: capacity)
        readyDescriptors = .allocate(capacity: capacity)
        if io == .automatic, let ring = ctftp_ring_create() {
            backend = .ring(ring)
            ringUnavailableReason = nil
            return
        }
        ringUnavailableReason = io == .epoll ? "tftp.transfer_io is epoll" : "io_uring refused: errno \(errno)"
        let descriptor = epoll_create1(CInt(EPOLL_CLOEXEC))
        precondition(descriptor >= 0, "cannot create the TFTP pump's epoll descriptor (errno \(errno))")
        backend = .epoll(descriptor)
    }

    deinit {
        switch backend {
        case .ring(let ring): ctftp_ring_destroy(ring)
        case .epoll(let descriptor): close(descriptor)
        }
        ringEvents.deallocate()
        readyDescriptors.deallocate()
    }

    /// Why a pump started now would use epoll (`nil`: it would use io_uring): tries a ring on the calling thread.
    static func ringUnavailableReason(for io: TFTPTransferIO) -> String? {
        TFTPTransferPoller(io).ringUnavailableReason
    }

    var usesRing: Bool {
        if case .ring = backend { return true }
        return false
    }

    /// Watches a transfer's connected socket, whose datagrams are all the client's. Returns 0 or an errno.
    func watchDatagrams(_ descriptor: CInt) -> CInt {
        switch backend {
        case .ring(let ring): return -ctftp_ring_watch_datagrams(ring, descriptor)
        case .epoll(let epoll): return ctftp_epoll_add(epoll, descriptor) == 0 ? 0 : errno
        }
    }

    /// Watches a descriptor the pump reads itself (the stray socket, the eventfd). Returns 0 or an errno.
    func watchReadable(_ descriptor: CInt) -> CInt {
        switch backend {
        case .ring(let ring): return -ctftp_ring_watch_readable(ring, descriptor)
        case .epoll(let epoll): return ctftp_epoll_add(epoll, descriptor) == 0 ? 0 : errno
        }
    }

    /// Stops watching before the descriptor is closed (closing removes it from epoll by itself).
    func unwatch(_ descriptor: CInt) {
        if case .ring(let ring) = backend { ctftp_ring_unwatch(ring, descriptor) }
    }

    /// Waits at most `timeoutMilliseconds` (-1: without limit), the first `spinNanoseconds` of it without sleeping
    /// (`TFTPBusyPoll`), and hands each event to `body`.
    func wait(timeoutMilliseconds: CInt, spinNanoseconds: Int64 = 0, _ body: (Event) -> Void) {
        switch backend {
        case .ring(let ring):
            let count = ctftp_ring_wait(ring, ringEvents, CInt(capacity), timeoutMilliseconds, spinNanoseconds)
            for index in 0..<Int(max(count, 0)) {
                let event = ringEvents[index]
                if event.readable != 0 {
                    body(.readable(event.fd))
                } else if event.result < 0 {
                    body(.receiveFailed(event.fd, errno: CInt(-event.result)))
                } else {
                    let length = Int(event.result)
                    let bytes = UnsafeRawBufferPointer(start: event.bytes, count: min(length, Self.datagramCapacity))
                    body(.datagram(event.fd, bytes: bytes, length: length))
                }
            }
        case .epoll(let epoll):
            let count = ctftp_epoll_wait(
                epoll, readyDescriptors, CInt(capacity), timeoutMilliseconds, spinNanoseconds)
            for index in 0..<Int(max(count, 0)) { body(.readable(readyDescriptors[index])) }
        }
    }
}
