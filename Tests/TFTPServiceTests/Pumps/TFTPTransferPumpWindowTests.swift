import NIOCore
import Testing

@testable import TFTPCore
@testable import TFTPService

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// How the pump drives the socket: a window leaves in one send (UDP GSO) that arrives as exactly the datagrams a
/// `sendmmsg` would have produced, and the lazily re-armed retransmission deadline still fires after progress
/// moved it.
@Suite(.serialized)
struct TFTPTransferPumpWindowTests {
    private func start(
        _ request: TFTPRequest, bytes: Int, client: LoopbackTestClient,
        limits: TFTPTransferLimits = Self.noRetransmission,
        prepare: (TFTPTransferSockets) -> Void = { _ in }
    ) throws -> (TFTPTransferPumps, TFTPTransferPumpTests.Outcome) {
        let sockets = try TFTPTransferSockets.open(host: "127.0.0.1", client: client.address)
        prepare(sockets)
        let source = TFTPInMemoryFile(bytes: Self.contents(bytes))
        let pumps = TFTPTransferPumps(count: 1)
        pumps.start()
        let outcome = TFTPTransferPumpTests.Outcome()
        let transfer = TFTPReadTransfer(
            request: request, transferSize: source.knownByteCount, interfaceMTU: 65536, limits: limits)
        pumps.next().submit(
            TFTPTransferSetup(
                sockets: sockets, transfer: transfer, source: source,
                client: client.address, logger: .init(label: "test"), completionMessageID: "",
                countMalformedDatagram: {}, finished: { outcome.finished.store(true, ordering: .relaxed) }))
        return (pumps, outcome)
    }

    /// The default here: a retransmission would add a send to the counts and queue a second OACK where DATA 1 is
    /// expected, and with 200 ms a busy machine (the whole suite running in parallel) makes one happen before the
    /// client's ACK is read.
    static let noRetransmission = TFTPTransferLimits(
        defaultRetransmitTimeout: .seconds(10), maximumRetransmitTimeout: .seconds(10))

    /// The pump counts a segmented send once the kernel has taken it, so the client can hold the datagrams a moment
    /// before the count moves: waits (at most 5 s) until `pumps.segmentedSends` reaches `expected`, returns it.
    private func segmentedSends(reaching expected: Int, _ pumps: TFTPTransferPumps) async -> Int {
        var waited = 0
        while pumps.segmentedSends < expected, waited < 5000 {
            try? await Task.sleep(for: .milliseconds(1))
            waited += 1
        }
        return pumps.segmentedSends
    }

    /// A file whose every block differs from its neighbours, so a datagram cut in the wrong place shows.
    private static func contents(_ count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 % 251) }
    }

    private static func request(blockSize: Int, windowSize: Int) -> TFTPRequest {
        TFTPRequest(
            filename: "f", mode: .octet,
            options: [.init(name: "blksize", value: "\(blockSize)"), .init(name: "windowsize", value: "\(windowSize)")])
    }

    /// Receives `count` datagrams and checks each is DATA `first + i` carrying exactly its block of `file`.
    private func expectBlocks(
        _ count: Int, from first: Int, blockSize: Int, of file: [UInt8], client: LoopbackTestClient
    ) {
        for block in first..<(first + count) {
            guard let datagram = client.receiveBytes() else {
                Issue.record("DATA \(block) did not arrive")
                return
            }
            let start = (block - 1) * blockSize
            let payload = Array(file[start..<min(start + blockSize, file.count)])
            #expect(datagram == [0, 3, UInt8(block >> 8), UInt8(block & 0xFF)] + payload, "DATA \(block)")
        }
    }

    @Test func aWindowLeavesInOneSendCall() async throws {
        let client = try LoopbackTestClient()
        let request = TFTPRequest(
            filename: "f", mode: .octet,
            options: [.init(name: "blksize", value: "16"), .init(name: "windowsize", value: "4")])
        let (pumps, _) = try start(request, bytes: 200, client: client)
        _ = try client.receive()  // the OACK
        let before = pumps.sendCalls
        client.send(.acknowledgement(block: 0))
        #expect(try client.receiveDataBlocks(4) == [1, 2, 3, 4])
        #expect(pumps.sendCalls - before == 1)
        try await pumps.shutdown()
    }

    @Test func progressMovesTheRetransmissionDeadlineAndTheTimerStillFiresThere() async throws {
        let client = try LoopbackTestClient()
        let (pumps, outcome) = try start(
            TFTPRequest(filename: "f", mode: .octet), bytes: 1500, client: client,
            limits: TFTPTransferPumpTests.shortTimeouts)
        #expect(try client.receiveDataBlocks(1) == [1])
        client.send(.acknowledgement(block: 1))
        var blocks = try client.receiveDataBlocks(1)
        while blocks == [1] { blocks = try client.receiveDataBlocks(1) }  // a retransmission that crossed the ACK
        #expect(blocks == [2])
        #expect(try client.receiveDataBlocks(1) == [2], "DATA 2 again: the deadline armed for DATA 1 moved, not lost")
        client.send(.acknowledgement(block: 2))
        #expect(try client.receiveDataBlocks(1) == [3])
        client.send(.acknowledgement(block: 3))
        #expect(await outcome.waitUntilFinished())
        try await pumps.shutdown()
    }

    @Test func aWindowWithAShortFinalBlockArrivesAsItsDatagramsFromOneSegmentedSend() async throws {
        let client = try LoopbackTestClient()
        let size = 15 * 1468 + 100
        let (pumps, outcome) = try start(Self.request(blockSize: 1468, windowSize: 16), bytes: size, client: client)
        _ = try client.receive()  // the OACK
        let (sendsBefore, segmentedBefore) = (pumps.sendCalls, pumps.segmentedSends)
        client.send(.acknowledgement(block: 0))
        expectBlocks(16, from: 1, blockSize: 1468, of: Self.contents(size), client: client)
        #expect(pumps.sendCalls - sendsBefore == 1)
        #expect(
            await segmentedSends(reaching: segmentedBefore + 1, pumps) - segmentedBefore == 1,
            "one UDP_SEGMENT send carried the 16 datagrams")
        client.send(.acknowledgement(block: 16))
        #expect(await outcome.waitUntilFinished())
        try await pumps.shutdown()
    }

    @Test func aWindowLargerThan65507BytesIsSplitIntoSegmentedSends() async throws {
        let client = try LoopbackTestClient()
        let size = 100 * 1468 + 7
        var limits = Self.noRetransmission
        limits.windowSizeCeiling = 64
        let (pumps, outcome) = try start(
            Self.request(blockSize: 1468, windowSize: 64), bytes: size, client: client, limits: limits)
        _ = try client.receive()  // the OACK
        let file = Self.contents(size)
        let segmentedBefore = pumps.segmentedSends
        client.send(.acknowledgement(block: 0))
        expectBlocks(64, from: 1, blockSize: 1468, of: file, client: client)
        #expect(
            await segmentedSends(reaching: segmentedBefore + 2, pumps) - segmentedBefore == 2,
            "64 × 1472 bytes: 44 datagrams, then 20")
        client.send(.acknowledgement(block: 64))
        expectBlocks(37, from: 65, blockSize: 1468, of: file, client: client)
        #expect(
            await segmentedSends(reaching: segmentedBefore + 3, pumps) - segmentedBefore == 3,
            "36 full blocks and the short last one: one send")
        client.send(.acknowledgement(block: 101))
        #expect(await outcome.waitUntilFinished())
        try await pumps.shutdown()
    }

    @Test func aWindowOfMoreThan64DatagramsIsSplitIntoSegmentedSends() async throws {
        let client = try LoopbackTestClient()
        let size = 100 * 16 + 5
        var limits = Self.noRetransmission
        limits.windowSizeCeiling = 128
        let (pumps, outcome) = try start(
            Self.request(blockSize: 16, windowSize: 128), bytes: size, client: client, limits: limits)
        _ = try client.receive()  // the OACK
        let segmentedBefore = pumps.segmentedSends
        client.send(.acknowledgement(block: 0))
        expectBlocks(101, from: 1, blockSize: 16, of: Self.contents(size), client: client)
        #expect(
            await segmentedSends(reaching: segmentedBefore + 2, pumps) - segmentedBefore == 2,
            "at most 64 segments per send: 64, then 37")
        client.send(.acknowledgement(block: 101))
        #expect(await outcome.waitUntilFinished())
        try await pumps.shutdown()
    }

    /// The kernel refuses UDP GSO on a socket without UDP checksums (`SO_NO_CHECK`, EINVAL): the window still
    /// arrives, by `sendmmsg`, and later windows on that socket go straight there.
    @Test func aSocketThatRefusesGSOSendsItsWindowsBySendmmsg() async throws {
        let client = try LoopbackTestClient()
        let size = 40 * 1468
        let (pumps, outcome) = try start(
            Self.request(blockSize: 1468, windowSize: 16), bytes: size, client: client,
            prepare: { sockets in
                var one: CInt = 1
                setsockopt(sockets.transfer, SOL_SOCKET, SO_NO_CHECK, &one, socklen_t(MemoryLayout<CInt>.size))
            })
        _ = try client.receive()  // the OACK
        let file = Self.contents(size)
        let sendsBefore = pumps.sendCalls
        client.send(.acknowledgement(block: 0))
        expectBlocks(16, from: 1, blockSize: 1468, of: file, client: client)
        client.send(.acknowledgement(block: 16))
        expectBlocks(16, from: 17, blockSize: 1468, of: file, client: client)
        client.send(.acknowledgement(block: 32))
        expectBlocks(9, from: 33, blockSize: 1468, of: file, client: client)  // 8 full blocks and an empty one
        #expect(pumps.sendCalls - sendsBefore == 3)
        client.send(.acknowledgement(block: 41))
        #expect(await outcome.waitUntilFinished())
        #expect(pumps.segmentedSends == 0, "read after the finish, which follows every send on the pump's thread")
        try await pumps.shutdown()
    }
}
