import NIOCore
import Synchronization

/// One thing the watchdog asks before telling systemd the service is alive.
struct LivenessProbe: Sendable {
    /// `event loop 2`, `lease store`: named in the log when it does not answer.
    var name: String
    /// Starts the check; the future succeeds when the component answered.
    var check: @Sendable () -> EventLoopFuture<Void>

    /// Whether the check succeeds within `timeout`. A blocked event loop never runs the check at all, so the
    /// answer is raced against a timer instead of awaited.
    func answers(within timeout: Duration) async -> Bool {
        let future = check()
        return await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            let answer = FirstAnswer(continuation)
            future.whenComplete { result in
                if case .success = result { answer.give(true) } else { answer.give(false) }
            }
            Task {
                try? await Task.sleep(for: timeout)
                answer.give(false)
            }
        }
    }
}

/// Resumes a continuation with whichever answer comes first, exactly once.
private final class FirstAnswer: Sendable {
    private let answered = Mutex(false)
    private let continuation: CheckedContinuation<Bool, Never>

    init(_ continuation: CheckedContinuation<Bool, Never>) {
        self.continuation = continuation
    }

    func give(_ value: Bool) {
        let first = answered.withLock { answered in
            defer { answered = true }
            return !answered
        }
        if first { continuation.resume(returning: value) }
    }
}
