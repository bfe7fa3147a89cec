import NIOCore
import Testing

@testable import TFTP

/// How the pump drives the socket: a window leaves in one send call (`sendmmsg`), and the lazily re-armed
/// retransmission deadline still fires after progress moved it.
@Suite(.serialized)
struct TFTPTransferPumpWindowTests {
    private func start(
        _ request: TFTPRequest, bytes: Int, client: LoopbackTestClient
    ) throws -> (TFTPTransferPumps, TFTPTransferPumpTests.Outcome) {
        let source = TFTPInMemoryFile(bytes: [UInt8](repeating: 9, count: bytes))
        let pumps = TFTPTransferPumps(count: 1)
        pumps.start()
        let outcome = TFTPTransferPumpTests.Outcome()
        let transfer = TFTPReadTransfer(
            request: request, transferSize: source.byteCount, interfaceMTU: 1500,
            limits: TFTPTransferPumpTests.shortTimeouts)
        pumps.next().submit(
            TFTPTransferSetup(
                descriptor: try TFTPTransferSocket.open(host: "127.0.0.1"), transfer: transfer, source: source,
                client: client.address, logger: .init(label: "test"), completionMessageID: "",
                countMalformedDatagram: {}, finished: { outcome.finished.store(true, ordering: .relaxed) }))
        return (pumps, outcome)
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
        let (pumps, outcome) = try start(TFTPRequest(filename: "f", mode: .octet), bytes: 1500, client: client)
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
}
