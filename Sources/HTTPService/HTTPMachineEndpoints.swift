import Inventory

/// A reply the appliance decided: status, content type and body. Small (answer files, callback results).
public struct HTTPEndpointReply: Sendable, Hashable {
    public var status: Int
    public var contentType: String
    public var body: [UInt8]
    /// What the request log says about the outcome beyond the status (`refused: not the machine's address`).
    public var logNote: String?

    public init(status: Int, contentType: String = "text/plain; charset=utf-8", body: [UInt8], logNote: String? = nil) {
        self.status = status
        self.contentType = contentType
        self.body = body
        self.logNote = logNote
    }

    public static func text(_ status: Int, _ text: String, logNote: String? = nil) -> HTTPEndpointReply {
        HTTPEndpointReply(status: status, body: Array((text + "\n").utf8), logNote: logNote)
    }
}

/// The machine-facing parts of the HTTP service whose answers depend on machine state: answer files (only to the
/// machine's own address) and the install callback. The appliance implements it over the inventory and the
/// lifecycle store; the adapter only routes to it.
public protocol HTTPMachineEndpoints: Sendable {
    /// The rendered answer file `name` of `hostname`, if `client` is that machine's address; returns once what it
    /// hands out (the install token) is durable.
    func answerFile(hostname: String, name: String, client: IPv4Address) async -> HTTPEndpointReply
    /// The installer of `hostname` reports a finished install with `token`. Returns once the outcome is durable.
    func installCallback(hostname: String, token: String, client: IPv4Address) async -> HTTPEndpointReply
    /// A boot file or rendered config went out whole to `client` (for the machine's "last boot file").
    func bootFileServed(path: String, isRendered: Bool, client: IPv4Address)
    /// Every metric in Prometheus' text format, current as of the call.
    func metrics() async -> HTTPEndpointReply
}
