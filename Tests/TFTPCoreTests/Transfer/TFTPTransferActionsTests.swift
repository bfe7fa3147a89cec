import NIOCore
import Testing

@testable import TFTPCore

/// The two-slot action list: order, count and equality must match what an array of the same actions would give.
struct TFTPTransferActionsTests {
    private let window = TFTPDataWindow(firstIndex: 3, count: 2, blockSize: 512, transferSize: 4096)

    @Test func keepsTheOrderItWasGiven() {
        let actions = TFTPTransferActions(.sendData(window), then: .armTimer(deadline: instant(2)))
        #expect(Array(actions) == [.sendData(window), .armTimer(deadline: instant(2))])
        #expect(actions.count == 2)
        #expect(actions.leading == .sendData(window))
        #expect(actions.trailing == .armTimer(deadline: instant(2)))
    }

    @Test func countsWhatItHolds() {
        #expect(TFTPTransferActions().isEmpty)
        #expect(TFTPTransferActions().leading == nil)
        let single = TFTPTransferActions(.sendError(.accessViolation, message: "no"))
        #expect(Array(single) == [.sendError(.accessViolation, message: "no")])
        #expect(single.trailing == nil)
    }

    @Test func arrayLiteralsBuildTheSameValue() {
        let built = TFTPTransferActions(.sendData(window), then: .armTimer(deadline: instant(1)))
        #expect(built == [.sendData(window), .armTimer(deadline: instant(1))])
        #expect(built != [.armTimer(deadline: instant(1)), .sendData(window)])
        #expect(TFTPTransferActions() == [])
        #expect(TFTPTransferActions(.armTimer(deadline: instant(1))) == [.armTimer(deadline: instant(1))])
    }
}
