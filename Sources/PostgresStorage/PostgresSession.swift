import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO
import Synchronization

/// One connection to the shared database, for callers that block: the DHCP lease-commit thread, the command line.
/// Calls are serialised; each one has a deadline; a call that fails for any reason drops the connection, and the
/// next call connects afresh. So a database that goes away costs each caller at most `timeout` (or the moment it
/// takes to be refused), and one that comes back is used again by the first call after, with nothing to restart.
///
/// Why a connection of our own rather than `PostgresClient`'s pool: the lease store's writes are serial anyway
/// (one commit thread), a pool would queue a call while it waits for a connection the database refuses, and a
/// lease store must know at once that it cannot write, so that no DHCPACK leaves for a lease it did not store.
public final class PostgresSession: Sendable {
    /// The database, as configured.
    public let endpoint: PostgresEndpoint
    /// How long one call (connecting included) may take before it fails.
    public let timeout: TimeAmount
    private let configuration: PostgresConnection.Configuration
    private let eventLoop: any EventLoop
    private let logger: Logger
    private let connection = NIOLockedValueBox<PostgresConnection?>(nil)
    /// Serialises calls; the mutex above only guards the reference.
    private let calls = NSLock()
    private let nextID = Atomic<Int>(1)

    /// The database did not answer in time.
    public struct Timeout: Error, CustomStringConvertible {
        public var seconds: Int64
        public var description: String { "the database did not answer within \(seconds) s" }
    }

    public init(
        endpoint: PostgresEndpoint, timeout: TimeAmount = .seconds(5),
        eventLoop: any EventLoop = MultiThreadedEventLoopGroup.singleton.next(), logger: Logger
    ) throws {
        self.endpoint = endpoint
        self.timeout = timeout
        self.eventLoop = eventLoop
        self.logger = logger
        configuration = try Self.configuration(for: endpoint, connectTimeout: timeout)
    }

    deinit {
        let open: PostgresConnection? = connection.withLockedValue { $0 }
        open?.closeSoon()
    }

    static func configuration(
        for endpoint: PostgresEndpoint, connectTimeout: TimeAmount
    ) throws -> PostgresConnection.Configuration {
        var configuration: PostgresConnection.Configuration
        switch endpoint.address {
        case .socket(let path):
            configuration = .init(
                unixSocketPath: path, username: endpoint.user, password: endpoint.password,
                database: endpoint.database)
        case .tcp(let host, let port):
            var tls = TLSConfiguration.makeClientConfiguration()
            if let caFile = endpoint.caFile { tls.trustRoots = .file(caFile) }
            let context = try NIOSSLContext(configuration: tls)
            let mode: PostgresConnection.Configuration.TLS
            switch endpoint.tls {
            case .disable: mode = .disable
            case .prefer: mode = .prefer(context)
            case .require, .verifyFull: mode = .require(context)
            }
            configuration = .init(
                host: host, port: port, username: endpoint.user, password: endpoint.password,
                database: endpoint.database, tls: mode)
        }
        configuration.options.connectTimeout = connectTimeout
        return configuration
    }

    /// Runs `body` on the connection (connecting first when there is none) and waits for its result, at most
    /// `timeout`. Never call it on an event loop.
    public func run<T: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection) -> EventLoopFuture<T>
    ) throws -> T {
        calls.lock()
        defer { calls.unlock() }
        let loop = eventLoop
        let promise = loop.makePromise(of: T.self)
        // A connection the server closed (a restart, an idle timeout) is never reused: PostgresNIO would queue the
        // query on it, and it would wait out the whole deadline instead of failing or reconnecting at once.
        let existing = connection.withLockedValue { current in
            if let open = current, open.isClosed {
                current = nil
            }
            return current
        }
        let connected =
            existing.map { loop.makeSucceededFuture($0) }
            ?? PostgresConnection.connect(
                on: loop, configuration: configuration, id: nextID.add(1, ordering: .relaxed).oldValue,
                logger: logger)
        let state = connection
        connected.whenSuccess { connection in state.withLockedValue { $0 = connection } }
        connected.flatMap(body).cascade(to: promise)
        let seconds = timeout.nanoseconds / 1_000_000_000
        let deadline = loop.scheduleTask(in: timeout) { promise.fail(Timeout(seconds: seconds)) }
        do {
            let value = try promise.futureResult.wait()
            deadline.cancel()
            return value
        } catch {
            deadline.cancel()
            dropConnection()
            throw error
        }
    }

    /// Closes the connection; the next call opens another.
    public func dropConnection() {
        let dropped = connection.withLockedValue { state in
            defer { state = nil }
            return state
        }
        dropped?.closeSoon()
    }

    /// Closes the connection for good (the session can still reconnect if called again).
    public func close() {
        dropConnection()
    }
}

extension PostgresConnection {
    /// Starts closing without waiting (the future-returning `close`, not the async one). The callback keeps the
    /// connection alive until its channel is closed: PostgresNIO asserts that none is freed while still open.
    func closeSoon() {
        let closing: EventLoopFuture<Void> = close()
        closing.whenComplete { _ in withExtendedLifetime(self) {} }
    }

    /// Runs `query` and collects its rows.
    func rows(_ query: PostgresQuery, logger: Logger) -> EventLoopFuture<[PostgresRow]> {
        self.query(query, logger: logger).map(\.rows)
    }
}
