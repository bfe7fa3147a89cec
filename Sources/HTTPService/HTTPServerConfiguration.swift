import NIOCore

/// What the HTTP server adapter needs from the appliance's configuration (`http:`, docs/configuration.md).
public struct HTTPServerConfiguration: Sendable {
    /// Where connections arrive: usually `0.0.0.0:80`.
    public var bindAddress: SocketAddress
    /// The jailed root, shared with TFTP; `nil` serves rendered files only.
    public var rootPath: String?
    /// Open connections at most; one more is closed at once, so a flood cannot exhaust descriptors.
    public var maxConnections = 1024
    /// A request's head and body must arrive within this time of the connection opening or of the previous
    /// response ending; an idle keep-alive connection is closed after it too (slow clients, docs/protocol.md,
    /// "HTTP limits").
    public var requestTimeout: TimeAmount = .seconds(10)
    /// A response that makes no progress (the client stopped reading) for this long is abandoned.
    public var sendStallTimeout: TimeAmount = .seconds(30)
    /// All header lines of one request together, in bytes; more is 431 and the connection closes (twice as much is
    /// cut off by the decoder with 400).
    public var maxHeaderBytes = 16 << 10
    /// A request body (only the install callback takes one, and ignores it), in bytes; more is 413.
    public var maxBodyBytes = 4 << 10
    /// Bytes of a file handed to the socket as one `FileRegion` (one or more `sendfile` calls). Each costs a
    /// promise and a pass through the pipeline, so they are large: nginx's `sendfile_max_chunk` is 2 MiB.
    public var fileChunkBytes = 1 << 20

    public init(bindAddress: SocketAddress, rootPath: String?) {
        self.bindAddress = bindAddress
        self.rootPath = rootPath
    }
}
