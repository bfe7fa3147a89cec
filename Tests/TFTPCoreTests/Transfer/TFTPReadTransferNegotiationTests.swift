import NIOCore
import Testing

@testable import TFTPCore

/// How a transfer opens: OACK or DATA 1, ACK 0, and the client's answers to the OACK (RFC 2347 §2).
struct TFTPReadTransferNegotiationTests {
    @Test func acceptedOptionsAreSentInAnOACKThenACK0StartsData() {
        var transfer = TFTPReadTransfer(
            request: octetRequest([("tsize", "0"), ("blksize", "1408")]), transferSize: 3000, interfaceMTU: 1500)
        let opening = transfer.start(now: instant(0))
        #expect(
            opening == [
                .sendOptionAcknowledgement([.init(name: "tsize", value: "3000"), .init(name: "blksize", value: "1408")]
                ),
                .armTimer(deadline: instant(1)),
            ])
        let data = transfer.receivedAcknowledgement(block: 0, now: instant(0, milliseconds: 10))
        #expect(
            data == [
                .sendData(TFTPDataWindow(firstIndex: 1, count: 1, blockSize: 1408, transferSize: 3000)),
                .armTimer(deadline: instant(1, milliseconds: 10)),
            ])
    }

    @Test func noAcceptedOptionStartsWithData1() {
        var transfer = TFTPReadTransfer(
            request: octetRequest([("rollover", "0"), ("blksize", "4")]), transferSize: 600, interfaceMTU: 1500)
        let opening = transfer.start(now: instant(0))
        #expect(opening.dataBlocks == [TFTPDataBlock(index: 1, offset: 0, length: 512)])
        #expect(!opening.contains { if case .sendOptionAcknowledgement = $0 { return true } else { return false } })
    }

    @Test func wrongBlockWhileAwaitingOACKAcknowledgementIsIgnored() {
        var transfer = TFTPReadTransfer(request: octetRequest([("tsize", "0")]), transferSize: 10, interfaceMTU: nil)
        _ = transfer.start(now: instant(0))
        #expect(transfer.receivedAcknowledgement(block: 1, now: instant(0)) == [])
        #expect(transfer.receivedAcknowledgement(block: 0, now: instant(0)).blockNumbers == [1])
    }

    @Test func error8AfterOACKIsTheClientDecliningNotAFailure() {
        // EDK2's PxeBcTftpGetFileSize: RRQ with tsize, read the OACK, abort with ERROR 8, ask again later.
        var transfer = TFTPReadTransfer(
            request: octetRequest([("tsize", "0"), ("blksize", "1468")]), transferSize: 12_345, interfaceMTU: 1500)
        _ = transfer.start(now: instant(0))
        let actions = transfer.receivedError(code: .optionNegotiationFailed, message: "tsize probe", now: instant(0))
        #expect(actions.finish?.outcome == .clientDeclinedOptions(message: "tsize probe"))
        #expect(actions.count == 1, "no ERROR is sent back to a client that ended the transfer")
        #expect(transfer.isFinished)
        #expect(transfer.timerFired(now: instant(60)) == [])
    }

    @Test func otherErrorAfterOACKIsTheClientAbandoning() {
        var transfer = TFTPReadTransfer(request: octetRequest([("tsize", "0")]), transferSize: 1, interfaceMTU: nil)
        _ = transfer.start(now: instant(0))
        let actions = transfer.receivedError(code: .undefined, message: "cancelled", now: instant(2))
        #expect(actions.finish?.outcome == .abandonedByClient(code: .undefined, message: "cancelled"))
        #expect(actions.finish?.statistics.duration == .seconds(2))
    }

    @Test func error8DuringDataIsAnAbandonNotADecline() {
        var transfer = TFTPReadTransfer(request: octetRequest(), transferSize: 2000, interfaceMTU: nil)
        _ = transfer.start(now: instant(0))
        let actions = transfer.receivedError(code: .optionNegotiationFailed, message: "", now: instant(0))
        #expect(actions.finish?.outcome == .abandonedByClient(code: .optionNegotiationFailed, message: ""))
    }

    @Test func oackIsRetransmittedOnTimeoutThenGivenUp() {
        let limits = TFTPTransferLimits(maximumRetransmissions: 2)
        var transfer = TFTPReadTransfer(
            request: octetRequest([("tsize", "0")]), transferSize: 1, interfaceMTU: nil, limits: limits)
        let oack = TFTPTransferAction.sendOptionAcknowledgement([.init(name: "tsize", value: "1")])
        _ = transfer.start(now: instant(0))
        #expect(transfer.timerFired(now: instant(1)) == [oack, .armTimer(deadline: instant(3))])
        #expect(transfer.timerFired(now: instant(3)) == [oack, .armTimer(deadline: instant(7))])
        let end = transfer.timerFired(now: instant(7))
        #expect(end.finish?.outcome == .failed(.retransmissionsExhausted(firstUnacknowledgedBlock: 0)))
        #expect(end.finish?.statistics.retransmittedPackets == 2)
    }

    @Test func strayPeerGetsError5AndTransferContinues() {
        var transfer = TFTPReadTransfer(request: octetRequest(), transferSize: 2000, interfaceMTU: nil)
        _ = transfer.start(now: instant(0))
        #expect(
            transfer.receivedPacketFromUnknownTransferID() == [
                .replyToStrayPeer(.unknownTransferID, message: "Unknown transfer ID")
            ])
        #expect(!transfer.isFinished)
        #expect(transfer.receivedAcknowledgement(block: 1, now: instant(0)).blockNumbers == [2])
    }

    @Test func mailModeIsRefused() {
        var transfer = TFTPReadTransfer(
            request: TFTPRequest(filename: "root", mode: .mail), transferSize: 0, interfaceMTU: nil)
        let actions = transfer.start(now: instant(0))
        #expect(actions.first == .sendError(.illegalOperation, message: "Mail mode is not supported"))
        #expect(actions.finish?.outcome == .failed(.refusedRequest(reason: "Mail mode is not supported")))
    }

    @Test func netasciiRunsLockStepWithoutTransferSize() {
        let request = TFTPRequest(
            filename: "ks.cfg", mode: .netascii,
            options: [.init(name: "tsize", value: "0"), .init(name: "windowsize", value: "8")])
        var transfer = TFTPReadTransfer(request: request, transferSize: 5000, interfaceMTU: nil)
        let opening = transfer.start(now: instant(0))
        #expect(opening.dataBlocks?.count == 1, "no option accepted: DATA 1 straight away, window of one")
        #expect(transfer.negotiatedOptions.windowSize == 1)
    }
}
