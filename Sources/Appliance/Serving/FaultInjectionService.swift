import Foundation
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import UnixSignals

/// Test-only (`RACKBOOT_FAULT_INJECTION=1`): SIGUSR2 blocks one event loop for 60 s, so a test can prove that
/// the watchdog then stops pinging. Never enabled otherwise.
struct FaultInjectionService: Service {
    let group: MultiThreadedEventLoopGroup
    let logger: Logger

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sigusr2)
        let loop = group.next()
        let logger = logger
        await cancelWhenGracefulShutdown {
            for await _ in signals {
                logger.warning("fault injection: blocking an event loop for 60 s")
                loop.execute { Thread.sleep(forTimeInterval: 60) }
            }
        }
    }
}
