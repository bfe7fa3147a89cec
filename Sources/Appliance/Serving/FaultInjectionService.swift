import Foundation
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import UnixSignals

#if RACKBOOT_FAULT_INJECTION

    /// Test-only: compiled into debug builds alone (the `RACKBOOT_FAULT_INJECTION` condition Package.swift defines for
    /// them; `make install` builds release), and even there enabled only by `RACKBOOT_FAULT_INJECTION=1`. SIGUSR2 then
    /// blocks one event loop for `RACKBOOT_FAULT_BLOCK_SECONDS` (default 5), so a test can prove that the watchdog
    /// stops pinging while it is stuck and resumes after.
    struct FaultInjectionService: Service {
        let group: MultiThreadedEventLoopGroup
        let logger: Logger

        func run() async throws {
            let signals = await UnixSignalsSequence(trapping: .sigusr2)
            let loop = group.next()
            let logger = logger
            let seconds = Double(ProcessInfo.processInfo.environment["RACKBOOT_FAULT_BLOCK_SECONDS"] ?? "") ?? 5
            await cancelWhenGracefulShutdown {
                for await _ in signals {
                    logger.warning("fault injection: blocking an event loop", metadata: ["seconds": "\(seconds)"])
                    loop.execute { Thread.sleep(forTimeInterval: seconds) }
                }
            }
        }
    }
#endif
