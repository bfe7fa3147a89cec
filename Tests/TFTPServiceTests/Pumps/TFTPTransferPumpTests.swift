import Logging
import NIOCore
import NIOPosix
import Synchronization
import Testing

@testable import TFTPCore
@testable import TFTPService

/// The transfer pump on real sockets on 127.0.0.1: the machine's actions become datagrams a test client receives,
/// and short retransmission timeouts drive the timer.
@Suite(.serialized)
struct TFTPTransferPumpTests {
    private struct FailingSource: TFTPSizedFileSource {
        let byteCount: UInt64 = 4096
        func read(at offset: UInt64, length: Int, into buffer: inout ByteBuffer) throws {
            throw TFTPFileReadError.systemError(errno: 5)
        }
    }

    /// What the pump reported back for one transfer.
    final class Outcome: Sendable {
        let finished = Atomic<Bool>(false)
        let malformed = Atomic<Int>(0)

        var isFinished: Bool { finished.load(ordering: .relaxed) }
        var malformedCount: Int { malformed.load(ordering: .relaxed) }

        /// Waits (at most 5 s) for the pump to end the transfer.
        func waitUntilFinished() async -> Bool {
            for _ in 0..<500 where !finished.load(ordering: .relaxed) {
                try? await Task.sleep(for: .milliseconds(10))
            }
            return finished.load(ordering: .relaxed)
        }
    }

    static let shortTimeouts = TFTPTransferLimits(
        defaultRetransmitTimeout: .milliseconds(200), maximumRetransmitTimeout: .milliseconds(200))

    /// Starts `request` for `client` on a fresh one-thread pump set that waits as `io` says, polling
    /// `busyPollMicroseconds` before each sleep.
    private func start(
        io: TFTPTransferIO, busyPollMicroseconds: Int = 0, _ request: TFTPRequest,
        source: any TFTPFileSource & Sendable, client: LoopbackTestClient, limits: TFTPTransferLimits = .init()
    ) throws -> (TFTPTransferPumps, Outcome) {
        let pumps = TFTPTransferPumps(count: 1, io: io, busyPollMicroseconds: busyPollMicroseconds)
        pumps.start()
        let outcome = Outcome()
        let transfer = TFTPReadTransfer(
            request: request, transferSize: source.knownByteCount, interfaceMTU: 1500, limits: limits)
        pumps.next().submit(
            TFTPTransferSetup(
                sockets: try TFTPTransferSockets.open(host: "127.0.0.1", client: client.address),
                transfer: transfer, source: source,
                client: client.address, logger: Logger(label: "test"),
                completionMessageID: TFTPMessageID.transferCompleted,
                countMalformedDatagram: { outcome.malformed.add(1, ordering: .relaxed) },
                finished: { outcome.finished.store(true, ordering: .relaxed) }))
        return (pumps, outcome)
    }

    /// A pxelinux-style exchange (tsize, blksize 16) end to end, with busy polling off and on. On, the pump polls
    /// in its waits for the ACKs (it runs a lone transfer) and still answers every one; off, it never polls.
    @Test(arguments: TFTPTransferIO.allCases, [0, 1000])
    func pxelinuxStyleTransferEndToEnd(io: TFTPTransferIO, busyPollMicroseconds: Int) async throws {
        let contents = Array("DEFAULT local\nLABEL local\n  LOCALBOOT 0\n".utf8)
        let request = TFTPRequest(
            filename: "pxelinux.cfg/default", mode: .octet,
            options: [.init(name: "tsize", value: "0"), .init(name: "blksize", value: "16")])
        let client = try LoopbackTestClient()
        let (pumps, outcome) = try start(
            io: io, busyPollMicroseconds: busyPollMicroseconds, request, source: TFTPInMemoryFile(bytes: contents),
            client: client)
        let oack = try client.receive()
        #expect(
            oack?.packet
                == .optionAcknowledgement([.init(name: "tsize", value: "40"), .init(name: "blksize", value: "16")]))
        #expect(oack?.from.port != 0)
        var received: [UInt8] = []
        var block: UInt16 = 0
        var payloadLength = 16
        while payloadLength == 16 {
            client.send(.acknowledgement(block: block))
            guard let (_, packet) = try client.receive(), case .data(let number, let payload) = packet else {
                Issue.record("expected DATA")
                break
            }
            received += payload.readableBytesView
            block = number
            payloadLength = payload.readableBytes
        }
        client.send(.acknowledgement(block: block))
        #expect(await outcome.waitUntilFinished())
        #expect(received == contents)
        #expect(block == 3)
        if busyPollMicroseconds == 0 {
            #expect(pumps.spinningWaits == 0)
        } else {
            #expect(pumps.spinningWaits > 0)
        }
        try await pumps.shutdown()
    }

    /// A wait that polls before it sleeps still ends at the retransmission deadline.
    @Test(arguments: TFTPTransferIO.allCases, [0, 1000])
    func timerRetransmits(io: TFTPTransferIO, busyPollMicroseconds: Int) async throws {
        let client = try LoopbackTestClient()
        let (pumps, outcome) = try start(
            io: io, busyPollMicroseconds: busyPollMicroseconds, TFTPRequest(filename: "f", mode: .octet),
            source: TFTPInMemoryFile(bytes: .init(repeating: 7, count: 600)),
            client: client, limits: Self.shortTimeouts)
        let first = try client.receive()?.packet
        #expect(first == .data(block: 1, payload: ByteBuffer(bytes: [UInt8](repeating: 7, count: 512))))
        #expect(try client.receive()?.packet == first, "DATA 1 again after the timeout, without an ACK")
        client.send(.acknowledgement(block: 1))
        var next = try client.receive()?.packet
        while next == first { next = try client.receive()?.packet }  // a retransmission that crossed the ACK
        #expect(next == .data(block: 2, payload: ByteBuffer(bytes: [UInt8](repeating: 7, count: 88))))
        client.send(.acknowledgement(block: 2))
        #expect(await outcome.waitUntilFinished())
        try await pumps.shutdown()
    }

    @Test(arguments: TFTPTransferIO.allCases)
    func strayPeerReachesTheStraySocketNotTheConnectedOne(io: TFTPTransferIO) async throws {
        let client = try LoopbackTestClient()
        let stray = try LoopbackTestClient()
        let (pumps, outcome) = try start(
            io: io, TFTPRequest(filename: "f", mode: .octet),
            source: TFTPInMemoryFile(bytes: [UInt8](repeating: 4, count: 600)), client: client)
        guard let (server, _) = try client.receive() else {
            Issue.record("no DATA 1")
            return
        }
        // The stray peer ACKs the block the client is waiting for: were it taken for the client, DATA 2 would follow.
        stray.send(.acknowledgement(block: 1), to: server)
        #expect(try stray.receive()?.packet == .error(code: .unknownTransferID, message: "Unknown transfer ID"))
        client.send(.acknowledgement(block: 1))
        let second = try client.receive()?.packet
        #expect(second == .data(block: 2, payload: ByteBuffer(bytes: [UInt8](repeating: 4, count: 88))))
        client.send(.acknowledgement(block: 2))
        #expect(await outcome.waitUntilFinished())
        try await pumps.shutdown()
    }

    /// The transfer socket is connected, so the ICMP port-unreachable of a vanished client comes back as
    /// ECONNREFUSED: the transfer ends at that error, counted as a client gone, instead of retransmitting until its
    /// retries run out (here 1,000 of them, so only the error can end it).
    @Test(arguments: TFTPTransferIO.allCases)
    func aVanishedClientsICMPErrorEndsTheTransfer(io: TFTPTransferIO) async throws {
        var client: LoopbackTestClient? = try LoopbackTestClient()
        let patient = TFTPTransferLimits(
            defaultRetransmitTimeout: .milliseconds(100), maximumRetransmitTimeout: .milliseconds(100),
            maximumRetransmissions: 1000, noProgressTimeout: .seconds(3600))
        let (pumps, outcome) = try start(
            io: io, TFTPRequest(filename: "f", mode: .octet),
            source: TFTPInMemoryFile(bytes: .init(repeating: 7, count: 600)), client: client!, limits: patient)
        let first = try client?.receive()?.packet
        #expect(first == .data(block: 1, payload: ByteBuffer(bytes: [UInt8](repeating: 7, count: 512))))
        client = nil  // closes the socket: the next retransmission draws an ICMP port-unreachable
        #expect(await outcome.waitUntilFinished(), "the transfer ended at the client's ICMP error")
        #expect(pumps.clientsGone == 1)
        #expect(pumps.receiveErrors == 0, "the error is the client leaving, not a socket failure")
        try await pumps.shutdown()
    }

    @Test(arguments: TFTPTransferIO.allCases)
    func undecodableDatagramIsCountedAndTheTransferGoesOn(io: TFTPTransferIO) async throws {
        let client = try LoopbackTestClient()
        let (pumps, outcome) = try start(
            io: io, TFTPRequest(filename: "f", mode: .octet), source: TFTPInMemoryFile(bytes: [1, 2, 3]),
            client: client)
        _ = try client.receive()
        client.send([0, 99, 1, 2])
        client.send([0, 5, 0, 0])  // ERROR 0 (its message may lack the NUL): the client ends the transfer
        #expect(await outcome.waitUntilFinished())
        #expect(outcome.malformedCount == 1)
        try await pumps.shutdown()
    }

    /// io_uring keeps the first `TFTPTransferPoller.datagramCapacity` bytes of a datagram; an ACK's block number
    /// and an ERROR's code come first, so a long datagram means what it meant under epoll, which reads it whole.
    @Test(arguments: TFTPTransferIO.allCases)
    func aLongAckOrErrorMeansWhatItsFirstBytesSay(io: TFTPTransferIO) async throws {
        let client = try LoopbackTestClient()
        let (pumps, outcome) = try start(
            io: io, TFTPRequest(filename: "f", mode: .octet),
            source: TFTPInMemoryFile(bytes: [UInt8](repeating: 9, count: 600)), client: client)
        _ = try client.receive()
        let padding = [UInt8](repeating: 0x41, count: TFTPTransferPoller.datagramCapacity + 1000)
        client.send([0, 4, 0, 1] + padding)  // ACK 1 with trailing bytes, which the codec ignores
        let second = try client.receive()?.packet
        #expect(second == .data(block: 2, payload: ByteBuffer(bytes: [UInt8](repeating: 9, count: 88))))
        client.send([0, 5, 0, 0] + padding)  // ERROR 0 with a long message: the client ends the transfer
        #expect(await outcome.waitUntilFinished())
        #expect(outcome.malformedCount == 0)
        try await pumps.shutdown()
    }

    /// RFC 1350 §4: another TID gets ERROR 5 from the transfer's port and the transfer goes on. Several stray
    /// datagrams that arrive together may be reported once under io_uring; each still gets its answer.
    @Test(arguments: TFTPTransferIO.allCases)
    func everyStrayDatagramIsAnsweredWithError5AndTheTransferGoesOn(io: TFTPTransferIO) async throws {
        let client = try LoopbackTestClient()
        let stray = try LoopbackTestClient()
        let (pumps, outcome) = try start(
            io: io, TFTPRequest(filename: "f", mode: .octet), source: TFTPInMemoryFile(bytes: [1, 2, 3]),
            client: client)
        guard let (server, _) = try client.receive() else {
            Issue.record("no DATA 1")
            return
        }
        for _ in 0..<20 { stray.send(.acknowledgement(block: 1), to: server) }
        var answers = 0
        while answers < 20, let reply = try stray.receive() {
            #expect(reply.from == server)
            #expect(reply.packet == .error(code: .unknownTransferID, message: "Unknown transfer ID"))
            answers += 1
        }
        #expect(answers == 20)
        #expect(!outcome.isFinished)
        client.send(.acknowledgement(block: 1))
        #expect(await outcome.waitUntilFinished())
        try await pumps.shutdown()
    }

    /// `auto` waits with io_uring exactly when the kernel allows a ring (as the server's start-up line says);
    /// `epoll` never does.
    @Test(arguments: TFTPTransferIO.allCases)
    func thePumpWaitsAsConfigured(io: TFTPTransferIO) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let pumps = TFTPTransferPumps(count: 2, io: io)
        pumps.start()
        try await pumps.check(0, on: group.next()).get()
        try await pumps.check(1, on: group.next()).get()
        let ringAllowed = TFTPTransferPoller.ringUnavailableReason(for: io) == nil
        #expect(pumps.pumpsUsingRing == (ringAllowed ? 2 : 0))
        if io == .epoll { #expect(!ringAllowed) }
        try await pumps.shutdown()
        try await group.shutdownGracefully()
    }

    @Test(arguments: TFTPTransferIO.allCases)
    func readFailureSendsErrorAndEnds(io: TFTPTransferIO) async throws {
        let client = try LoopbackTestClient()
        let (pumps, outcome) = try start(
            io: io, TFTPRequest(filename: "f", mode: .octet), source: FailingSource(), client: client)
        #expect(try client.receive()?.packet == .error(code: .undefined, message: "Read error"))
        #expect(await outcome.waitUntilFinished())
        try await pumps.shutdown()
    }

    @Test(arguments: TFTPTransferIO.allCases)
    func shutdownEndsARunningTransfer(io: TFTPTransferIO) async throws {
        let client = try LoopbackTestClient()
        let (pumps, outcome) = try start(
            io: io, TFTPRequest(filename: "f", mode: .octet), source: TFTPInMemoryFile(bytes: [1, 2, 3]),
            client: client)
        _ = try client.receive()
        try await pumps.shutdown()
        #expect(outcome.isFinished)
    }

    @Test(arguments: TFTPTransferIO.allCases)
    func aRunningPumpAnswersTheLivenessCheck(io: TFTPTransferIO) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let pumps = TFTPTransferPumps(count: 2, io: io)
        pumps.start()
        try await pumps.check(0, on: group.next()).get()
        try await pumps.check(1, on: group.next()).get()
        try await pumps.shutdown()
        try await group.shutdownGracefully()
    }
}
