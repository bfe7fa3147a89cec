import HTTPCore
import Inventory
import Logging
import NIOCore
import NIOHTTP1
import TFTPCore
import TFTPService

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// One HTTP connection: routes each request (`HTTPRoute`), answers it, and enforces the time limits.
///
/// `HTTPServerPipelineHandler` in front of it delivers one request at a time, so there is at most one response in
/// progress. Files under the root go out with `sendfile` (a `FileRegion`), in `fileChunkBytes` pieces; a client that
/// stops reading is noticed when a whole `sendStallTimeout` passes without progress.
final class HTTPConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let server: HTTPServerContext
    private let activity: HTTPConnectionActivity
    private var request: PendingRequest?
    /// Closes the connection when the next request does not arrive whole in time (slow or idle clients).
    private var requestDeadline: Scheduled<Void>?
    /// Closes the connection when the response in progress stops moving.
    private var stallDeadline: Scheduled<Void>?
    /// Bumped whenever the stall deadline is re-armed or cancelled, so a probe answered late cannot arm a stale one.
    private var stallGeneration = 0
    /// File chunks that have gone out on this connection: progress the stall deadline checks when it fires.
    private var chunksSent = 0
    private var isResponding = false
    /// Set when this handler closes the connection, so the decoder's complaint about the cut-off request that
    /// follows is not taken for the client's malformed request.
    private var closingDeliberately = false
    private var clientAddress: IPv4Address?
    private var clientDescription = "unknown"

    /// A status, the reason for the log, and whether the connection closes after it.
    private typealias Refusal = (status: HTTPResponseStatus, reason: String, close: Bool)

    private struct PendingRequest {
        var head: HTTPRequestHead
        var route: HTTPRoute
        /// Set when the request is already refused; the response goes out at `.end`.
        var refusal: Refusal?
        var bodyBytes = 0
    }

    init(server: HTTPServerContext, activity: HTTPConnectionActivity) {
        self.server = server
        self.activity = activity
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if let remote = context.channel.remoteAddress {
            clientDescription = remote.ipAddress ?? "\(remote)"
            clientAddress = remote.ipAddress.flatMap(IPv4Address.init)
        }
        armRequestDeadline(context: context)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        requestDeadline?.cancel()
        cancelStallDeadline()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            let (route, refusal) = check(head)
            request = PendingRequest(head: head, route: route, refusal: refusal)
        case .body(let body):
            guard var pending = request else { return }
            pending.bodyBytes += body.readableBytes
            if pending.bodyBytes > server.configuration.maxBodyBytes, pending.refusal == nil {
                pending.refusal = (.payloadTooLarge, "body over \(server.configuration.maxBodyBytes) bytes", true)
                request = pending
                // Answer now: waiting for the rest of an oversized body would let it tie the connection up.
                respondToPending(context: context)
                return
            }
            request = pending
        case .end:
            requestDeadline?.cancel()
            requestDeadline = nil
            respondToPending(context: context)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Malformed requests reach here after HTTPServerProtocolErrorHandler has answered 400.
        if error is HTTPParserError, !closingDeliberately {
            server.counters.countRefused()
            server.logger.notice(
                "Refusing malformed HTTP request",
                metadata: [
                    "ip": "\(clientDescription)", "error": "\(error)", "message_id": "\(HTTPMessageID.requestRefused)",
                ])
        }
        close(context)
    }

    private func close(_ context: ChannelHandlerContext) {
        closingDeliberately = true
        context.close(promise: nil)
    }

    // MARK: - Deciding

    /// Routes a request head, and says why it cannot be served, if it cannot.
    private func check(_ head: HTTPRequestHead) -> (HTTPRoute, Refusal?) {
        let headerBytes = head.headers.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count + 4 }
        if headerBytes > server.configuration.maxHeaderBytes {
            return (
                .nothing, (.init(statusCode: 431), "headers over \(server.configuration.maxHeaderBytes) bytes", true)
            )
        }
        let path: HTTPRequestPath
        do {
            path = try HTTPRequestPath(target: head.uri)
        } catch {
            return (.nothing, (.badRequest, "\(error)", false))
        }
        let route = HTTPRoute(path: path)
        if !route.allowedMethods.contains(head.method.rawValue) {
            return (route, (.methodNotAllowed, "method \(head.method.rawValue)", false))
        }
        return (route, nil)
    }

    private func respondToPending(context: ChannelHandlerContext) {
        guard let pending = request, !isResponding else { return }
        isResponding = true
        let keepAlive = pending.head.isKeepAlive && pending.refusal?.close != true
        if let refusal = pending.refusal {
            refuse(pending, status: refusal.status, reason: refusal.reason, keepAlive: keepAlive, context: context)
            return
        }
        switch pending.route {
        case .bootFile(let path):
            serveBootFile(path, pending: pending, keepAlive: keepAlive, context: context)
        case .answerFile(let hostname, let name):
            guard let client = clientAddress else {
                send(
                    .text(403, "Forbidden", logNote: "no IPv4 client address"), for: pending, keepAlive: keepAlive,
                    context: context)
                return
            }
            let endpoints = server.endpoints
            context.eventLoop.makeFutureWithTask {
                await endpoints.answerFile(hostname: hostname, name: name, client: client)
            }.assumeIsolated().whenSuccess { reply in
                self.send(reply, for: pending, keepAlive: keepAlive, context: context)
            }
        case .installCallback(let hostname, let token):
            guard let client = clientAddress else {
                send(.text(403, "Forbidden"), for: pending, keepAlive: keepAlive, context: context)
                return
            }
            let endpoints = server.endpoints
            let future = context.eventLoop.makeFutureWithTask {
                await endpoints.installCallback(hostname: hostname, token: token, client: client)
            }
            future.assumeIsolated().whenSuccess { reply in
                self.send(reply, for: pending, keepAlive: keepAlive, context: context)
            }
        case .metrics:
            let endpoints = server.endpoints
            context.eventLoop.makeFutureWithTask { await endpoints.metrics() }.assumeIsolated().whenSuccess { reply in
                self.send(reply, for: pending, keepAlive: keepAlive, context: context)
            }
        case .nothing:
            refuse(pending, status: .notFound, reason: "no such path", keepAlive: keepAlive, context: context)
        }
    }

    private func serveBootFile(
        _ path: String, pending: PendingRequest, keepAlive: Bool, context: ChannelHandlerContext
    ) {
        let location: TFTPFileLocation
        do {
            location = try TFTPFileResolver.locate(path, in: server.inventory())
        } catch {
            refuse(pending, status: .notFound, reason: "\(error)", keepAlive: keepAlive, context: context)
            return
        }
        switch location {
        case .rendered(let name, let contents):
            let plan = HTTPFileResponsePlan(
                size: UInt64(contents.count), rangeHeader: pending.head.headers.first(name: "range"),
                isHead: pending.head.method == .HEAD)
            var buffer = context.channel.allocator.buffer(capacity: Int(plan.body?.count ?? 0))
            if let body = plan.body { buffer.writeBytes(contents[Int(body.lowerBound)..<Int(body.upperBound)]) }
            writeHead(plan, contentType: "text/plain; charset=utf-8", keepAlive: keepAlive, context: context)
            writeBody(.byteBuffer(buffer), context: context) {
                self.finish(
                    pending, status: plan.status.rawValue, bytes: plan.body?.count ?? 0, note: nil,
                    servedWhole: plan.status == .ok && plan.body != nil, rendered: name.path, keepAlive: keepAlive,
                    context: context)
            }
        case .underRoot(let name):
            guard let root = server.root else {
                refuse(pending, status: .notFound, reason: "no root", keepAlive: keepAlive, context: context)
                return
            }
            let file: TFTPOpenedFile
            do {
                file = try root.open(name)
            } catch {
                let status: HTTPResponseStatus =
                    switch error {
                    case .permissionDenied, .outsideRoot: .forbidden
                    default: .notFound
                    }
                refuse(pending, status: status, reason: "\(error)", keepAlive: keepAlive, context: context)
                return
            }
            let plan = HTTPFileResponsePlan(
                size: file.byteCount, rangeHeader: pending.head.headers.first(name: "range"),
                isHead: pending.head.method == .HEAD)
            writeHead(plan, contentType: Self.contentType(of: name.path), keepAlive: keepAlive, context: context)
            let finished = {
                self.finish(
                    pending, status: plan.status.rawValue, bytes: plan.body?.count ?? 0, note: nil,
                    servedWhole: plan.status == .ok && plan.body != nil, rendered: nil, keepAlive: keepAlive,
                    context: context)
            }
            guard let body = plan.body, !body.isEmpty else {
                writeBody(nil, context: context, then: finished)
                return
            }
            let duplicate = dup(file.descriptor)
            guard duplicate >= 0 else {
                close(context)
                return
            }
            let handle = NIOFileHandle(_deprecatedTakingOwnershipOfDescriptor: duplicate)
            sendChunks(of: handle, from: body.lowerBound, to: body.upperBound, context: context) { succeeded in
                try? handle.close()
                if succeeded { self.writeBody(nil, context: context, then: finished) }
            }
        }
    }

    // MARK: - Writing

    private func writeHead(
        _ plan: HTTPFileResponsePlan, contentType: String, keepAlive: Bool, context: ChannelHandlerContext
    ) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Length", value: "\(plan.contentLength)")
        headers.add(name: "Accept-Ranges", value: "bytes")
        if let range = plan.contentRange { headers.add(name: "Content-Range", value: range) }
        if plan.status != .rangeNotSatisfiable { headers.add(name: "Content-Type", value: contentType) }
        headers.add(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        let status = HTTPResponseStatus(statusCode: plan.status.rawValue)
        let head = HTTPResponseHead(version: request?.head.version ?? .http1_1, status: status, headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
    }

    /// Writes a body part (or none) and `.end`, then runs `then` once both left, under the stall limit.
    private func writeBody(_ body: IOData?, context: ChannelHandlerContext, then: @escaping () -> Void) {
        if let body { context.write(wrapOutboundOut(.body(body)), promise: nil) }
        let promise = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: promise)
        watchForStall(until: promise.futureResult, context: context)
        promise.futureResult.assumeIsolated().whenComplete { result in
            if case .success = result { then() }
        }
    }

    /// Sends `[offset, end)` of the file as `FileRegion`s of `fileChunkBytes`, keeping `chunksInFlight` queued so the
    /// socket never waits for the next one. A slow reader that keeps reading is served; one that stops is cut off once
    /// a whole `sendStallTimeout` passed without progress (between one and two of them after its last progress).
    private func sendChunks(
        of handle: NIOFileHandle, from offset: UInt64, to end: UInt64, context: ChannelHandlerContext,
        done: @escaping (Bool) -> Void
    ) {
        let chunk = UInt64(server.configuration.fileChunkBytes)
        var next = offset
        var inFlight = 0
        var failed = false
        func fill() {
            while inFlight < Self.chunksInFlight, next < end, !failed {
                let chunkEnd = min(end, next + chunk)
                let region = FileRegion(fileHandle: handle, readerIndex: Int(next), endIndex: Int(chunkEnd))
                next = chunkEnd
                inFlight += 1
                let promise = context.eventLoop.makePromise(of: Void.self)
                context.writeAndFlush(wrapOutboundOut(.body(.fileRegion(region))), promise: promise)
                promise.futureResult.assumeIsolated().whenComplete { result in
                    inFlight -= 1
                    if case .failure = result { failed = true }
                    // Counted, not re-armed: restarting the deadline per chunk cost a TCP_INFO read and a timer per
                    // chunk (bench/notes.md, "HTTP"); the deadline looks at this count when it fires.
                    if !failed { self.chunksSent &+= 1 }
                    // The handle stays open until no queued region can still read it.
                    if failed || next == end {
                        guard inFlight == 0 else { return }
                        self.cancelStallDeadline()
                        done(!failed)
                        return
                    }
                    fill()
                }
            }
        }
        restartStallDeadline(context: context)
        fill()
    }

    /// File chunks queued at once: enough that the kernel always has the next one when a send completes.
    static let chunksInFlight = 4

    /// Arms the stall deadline. When it fires, the client is cut off only if no chunk went out and it acknowledged no
    /// byte since the deadline was armed (a slow reader draining a large socket buffer is still making progress);
    /// otherwise the deadline is armed again.
    private func restartStallDeadline(context: ChannelHandlerContext) {
        cancelStallDeadline()
        let generation = stallGeneration
        let limit = server.configuration.sendStallTimeout
        let channel = context.channel
        let chunksAtStart = chunksSent
        HTTPDeliveryProbe.bytesAcknowledged(on: channel).assumeIsolated().whenSuccess { acknowledgedAtStart in
            guard generation == self.stallGeneration else { return }
            self.stallDeadline = context.eventLoop.assumeIsolated().scheduleTask(in: limit) {
                HTTPDeliveryProbe.bytesAcknowledged(on: channel).assumeIsolated().whenSuccess { acknowledged in
                    guard generation == self.stallGeneration else { return }
                    let acknowledgedMore = acknowledged.map { now in acknowledgedAtStart.map { now > $0 } ?? false }
                    if acknowledgedMore == true || self.chunksSent != chunksAtStart {
                        self.restartStallDeadline(context: context)
                        return
                    }
                    self.server.counters.countRefused()
                    self.server.logger.notice(
                        "Closing HTTP connection: the client stopped reading",
                        metadata: [
                            "ip": "\(self.clientDescription)", "seconds": "\(limit.nanoseconds / 1_000_000_000)",
                        ])
                    self.close(context)
                }
            }
        }
    }

    private func cancelStallDeadline() {
        stallGeneration += 1
        stallDeadline?.cancel()
        stallDeadline = nil
    }

    private func watchForStall(until future: EventLoopFuture<Void>, context: ChannelHandlerContext) {
        restartStallDeadline(context: context)
        let generation = stallGeneration
        future.assumeIsolated().whenComplete { _ in
            if generation == self.stallGeneration { self.cancelStallDeadline() }
        }
    }

    private func send(
        _ reply: HTTPEndpointReply, extraHeaders: HTTPHeaders = [:], for pending: PendingRequest, keepAlive: Bool,
        context: ChannelHandlerContext
    ) {
        var headers = extraHeaders
        headers.add(name: "Content-Type", value: reply.contentType)
        headers.add(name: "Content-Length", value: "\(reply.body.count)")
        headers.add(name: "Cache-Control", value: "no-store")
        headers.add(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        let head = HTTPResponseHead(
            version: pending.head.version, status: HTTPResponseStatus(statusCode: reply.status), headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        let isHead = pending.head.method == .HEAD
        var buffer = context.channel.allocator.buffer(capacity: isHead ? 0 : reply.body.count)
        if !isHead { buffer.writeBytes(reply.body) }
        writeBody(.byteBuffer(buffer), context: context) {
            self.finish(
                pending, status: reply.status, bytes: isHead ? 0 : reply.body.count, note: reply.logNote,
                servedWhole: false, rendered: nil, keepAlive: keepAlive, context: context)
        }
    }

    private func refuse(
        _ pending: PendingRequest, status: HTTPResponseStatus, reason: String, keepAlive: Bool,
        context: ChannelHandlerContext
    ) {
        let reply = HTTPEndpointReply.text(Int(status.code), status.reasonPhrase, logNote: reason)
        var headers = HTTPHeaders()
        if status == .methodNotAllowed {
            headers.add(name: "Allow", value: pending.route.allowedMethods.joined(separator: ", "))
        }
        send(reply, extraHeaders: headers, for: pending, keepAlive: keepAlive, context: context)
    }

    /// Logs and counts the request, then readies the connection for the next one or closes it.
    private func finish(
        _ pending: PendingRequest, status: Int, bytes: Int, note: String?, servedWhole: Bool, rendered: String?,
        keepAlive: Bool, context: ChannelHandlerContext
    ) {
        var metadata: Logger.Metadata = [
            "ip": "\(clientDescription)", "method": "\(pending.head.method.rawValue)",
            "path":
                "\(TextRules.printableForLog(pending.route == .nothing ? pending.head.uri : pending.route.loggedPath))",
            "status": "\(status)",
            "bytes": "\(bytes)",
        ]
        if let mac = clientAddress.flatMap({ server.addressBook?.mac(at: $0) }) { metadata["mac"] = "\(mac)" }
        if let note { metadata["reason"] = "\(TextRules.printableForLog(note))" }
        server.metrics.responded(pending.route, status: status, bytes: bytes)
        if (200..<300).contains(status) {
            server.counters.countServed()
            if case .bootFile(let path) = pending.route {
                metadata["message_id"] =
                    "\(rendered != nil ? HTTPMessageID.bootConfigServed : HTTPMessageID.fileServed)"
                if servedWhole, let client = clientAddress {
                    server.endpoints.bootFileServed(path: path, isRendered: rendered != nil, client: client)
                }
            }
            server.logger.info("HTTP request served", metadata: metadata)
        } else {
            server.counters.countRefused()
            metadata["message_id"] = "\(HTTPMessageID.requestRefused)"
            server.logger.notice("HTTP request refused", metadata: metadata)
        }
        request = nil
        isResponding = false
        activity.bytesSinceLastResponse = 0
        if keepAlive {
            armRequestDeadline(context: context)
        } else {
            close(context)
        }
    }

    private func armRequestDeadline(context: ChannelHandlerContext) {
        requestDeadline?.cancel()
        let limit = server.configuration.requestTimeout
        requestDeadline = context.eventLoop.assumeIsolated().scheduleTask(in: limit) {
            // An idle keep-alive connection is closed quietly; a request begun and not finished is a slow client.
            if self.request != nil || self.activity.bytesSinceLastResponse > 0 {
                self.server.counters.countRefused()
                self.server.logger.notice(
                    "Closing HTTP connection: request not received in time",
                    metadata: ["ip": "\(self.clientDescription)", "seconds": "\(limit.nanoseconds / 1_000_000_000)"])
            }
            self.close(context)
        }
    }

    private static func contentType(of path: String) -> String {
        switch path.split(separator: ".").last?.lowercased() {
        case "ipxe", "cfg", "conf", "txt", "ks", "sh": return "text/plain; charset=utf-8"
        case "iso": return "application/x-iso9660-image"
        case "efi", "0", "img", "gz", "xz", "zst", "squashfs": return "application/octet-stream"
        default: return "application/octet-stream"
        }
    }
}
