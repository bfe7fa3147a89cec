import NIOCore
import Testing

@testable import TFTPCore
@testable import TFTPService

struct TFTPDeadlineHeapTests {
    @Test func entriesComeUpEarliestFirstAndOnlyWhenDue() {
        var heap = TFTPDeadlineHeap()
        let offsets: [Int64] = [50, 10, 40, 10, 30, 20, 60, 5]
        for (serial, offset) in offsets.enumerated() {
            heap.insert(.init(deadline: .uptimeNanoseconds(UInt64(offset)), descriptor: 3, serial: UInt64(serial)))
        }
        #expect(heap.popDue(now: .uptimeNanoseconds(4)) == nil)
        var popped: [UInt64] = []
        while let entry = heap.popDue(now: .uptimeNanoseconds(45)) { popped.append(entry.deadline.uptimeNanoseconds) }
        #expect(popped == [5, 10, 10, 20, 30, 40])
        #expect(heap.count == 2)
        #expect(heap.earliest?.deadline == .uptimeNanoseconds(50))
    }
}
