import NIOCore

/// Bytes a connection received since its last response ended, counted before the HTTP decoder sees them, so the
/// request deadline can tell a slow client (a head still arriving) from an idle keep-alive connection.
final class HTTPConnectionActivity {
    var bytesSinceLastResponse = 0
}

/// Counts inbound bytes into `HTTPConnectionActivity` and passes them on unchanged.
final class HTTPActivityCounter: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let activity: HTTPConnectionActivity

    init(activity: HTTPConnectionActivity) {
        self.activity = activity
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        activity.bytesSinceLastResponse += unwrapInboundIn(data).readableBytes
        context.fireChannelRead(data)
    }
}
