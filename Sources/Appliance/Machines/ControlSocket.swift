import Foundation
import Inventory
import LifecycleService
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle

/// The admin's way into a running server: HTTP on a Unix socket (`<state_directory>/control.sock`), used by
/// `rackboot machines` and `rackboot reinstall`.
///
/// A socket rather than the database: under the hardened unit (DynamicUser, ProtectSystem=strict) only the server
/// may write its state, and a change must reach the servers at once, without a restart. Who may connect is the
/// socket file's permission (the unit's UMask 0027: the service's user and root).
///
/// - `GET /machines`: the `rackboot machines --json` listing.
/// - `POST /machines/<mac-or-hostname>/reinstall`: back to install on the next network boot.
/// - `GET /machines/<mac>/files/<name>`: the answer file as the machine gets it now, with its live install token.
struct ControlSocket: Service {
    let path: String
    let inventory: SharedInventory
    let book: MachineLifecycleBook
    let logger: Logger
    let channel: any Channel

    static func socketPath(stateDirectory: String) -> String { stateDirectory + "/control.sock" }

    static func bind(
        path: String, inventory: SharedInventory, book: MachineLifecycleBook, logger: Logger,
        on group: any EventLoopGroup
    ) async throws -> ControlSocket {
        let channel = try await ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(
                        NIOHTTPServerRequestAggregator(maxContentLength: 4096))
                    try channel.pipeline.syncOperations.addHandler(
                        ControlRequestHandler(inventory: inventory, book: book, logger: logger))
                }
            }
            .bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true).get()
        return ControlSocket(path: path, inventory: inventory, book: book, logger: logger, channel: channel)
    }

    func run() async throws {
        try? await gracefulShutdown()
        try await channel.close()
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// Answers one aggregated control request.
final class ControlRequestHandler: ChannelInboundHandler {
    typealias InboundIn = NIOHTTPServerRequestFull
    typealias OutboundOut = HTTPServerResponsePart

    let inventory: SharedInventory
    let book: MachineLifecycleBook
    let logger: Logger

    init(inventory: SharedInventory, book: MachineLifecycleBook, logger: Logger) {
        self.inventory = inventory
        self.book = book
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let request = unwrapInboundIn(data)
        let segments = request.head.uri.split(separator: "/").map(String.init)
        switch (request.head.method, segments.count, segments.first, segments.last) {
        case (.GET, 1, "machines", _):
            let listing = MachineListing(machines: inventory.inventory.machines, records: book.records)
            respond((try? listing.json()).map { (200, $0) } ?? (500, "{}"), context: context)
        case (.GET, 4, "machines", _) where segments[2] == "files":
            let snapshot = inventory.inventory
            guard let mac = MACAddress(segments[1].removingPercentEncoding ?? ""),
                let machine = snapshot.machine(for: mac)
            else {
                respond((404, Self.message("no profile claims '\(segments[1])'")), context: context)
                return
            }
            do {
                let text = try MachineState.renderAnswerFile(
                    segments[3].removingPercentEncoding ?? segments[3], mac: mac, inventory: snapshot,
                    record: book.record(for: machine.hostname))
                respond((200, Self.message(text, key: "text")), context: context)
            } catch {
                respond((404, Self.message("\(error)")), context: context)
            }
        case (.POST, 3, "machines", "reinstall"):
            let key = segments[1].removingPercentEncoding ?? segments[1]
            let snapshot = inventory.inventory
            let machine =
                MACAddress(key).flatMap(snapshot.machine(for:))
                ?? snapshot.machines.first { $0.hostname.lowercased() == key.lowercased() }
            guard let machine else {
                respond((404, Self.message("no machine with MAC or host name '\(key)'")), context: context)
                return
            }
            guard machine.state == .install else {
                respond(
                    (
                        409,
                        Self.message(
                            "\(machine.hostname)'s profile is in state local; set 'state: install' in "
                                + "\(machine.profileFile) to install it")
                    ), context: context)
                return
            }
            let book = self.book
            context.eventLoop.makeFutureWithTask {
                await book.reinstall(hostname: machine.hostname, mac: machine.macs.first)
            }.assumeIsolated().whenSuccess { record in
                guard record != nil else {
                    self.respond(
                        (500, Self.message("the machine state could not be saved; see the server's log")),
                        context: context)
                    return
                }
                self.respond(
                    (200, Self.message("\(machine.hostname) installs again on its next network boot")),
                    context: context)
            }
        default:
            respond((404, Self.message("unknown request \(request.head.method) \(request.head.uri)")), context: context)
        }
    }

    private static func message(_ text: String, key: String = "message") -> String {
        let encoded = (try? JSONEncoder().encode([key: text])).map { String(decoding: $0, as: UTF8.self) }
        return encoded ?? "{}"
    }

    private func respond(_ reply: (status: Int, body: String), context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Content-Length", value: "\(reply.body.utf8.count)")
        headers.add(name: "Connection", value: "close")
        let head = HTTPResponseHead(
            version: .http1_1, status: HTTPResponseStatus(statusCode: reply.status), headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: reply.body)))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }
}
