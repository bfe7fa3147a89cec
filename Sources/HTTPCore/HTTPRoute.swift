/// What a request asks for, decided from its method and path alone (docs/protocol.md, "HTTP routes").
///
/// `files/`, `callback/` and `/metrics` at the top of the path are Rackboot's own; every other path names a boot file (a
/// rendered config or a file under the TFTP root), exactly as the same name over TFTP would.
public enum HTTPRoute: Hashable, Sendable {
    /// A rendered boot config or a file under the TFTP root, by its relative path.
    case bootFile(path: String)
    /// One machine's answer file: `/files/<hostname>/<name>`.
    case answerFile(hostname: String, name: String)
    /// The installer's completion call: `/callback/<hostname>/<token>`.
    case installCallback(hostname: String, token: String)
    /// Prometheus' scrape: `/metrics`.
    case metrics
    /// A path with no meaning (`/`, `/files/x`, `/callback/x`): 404.
    case nothing

    /// The top-level names the routes reserve.
    public static let reservedFolders: Set<String> = ["files", "callback", "metrics"]

    public init(path: HTTPRequestPath) {
        let segments = path.segments
        switch segments.first {
        case "files":
            self = segments.count == 3 ? .answerFile(hostname: segments[1], name: segments[2]) : .nothing
        case "callback":
            self = segments.count == 3 ? .installCallback(hostname: segments[1], token: segments[2]) : .nothing
        case "metrics" where segments.count == 1:
            self = .metrics
        case nil:
            self = .nothing
        default:
            self = .bootFile(path: path.path)
        }
    }

    /// The methods this route answers; anything else gets 405 with an `Allow` header listing these.
    public var allowedMethods: [String] {
        switch self {
        case .installCallback: return ["GET", "POST"]
        case .bootFile, .answerFile, .metrics, .nothing: return ["GET", "HEAD"]
        }
    }

    /// The path as it may be logged: a callback's token is secret and never written to a log.
    public var loggedPath: String {
        switch self {
        case .bootFile(let path): return "/" + path
        case .answerFile(let hostname, let name): return "/files/\(hostname)/\(name)"
        case .installCallback(let hostname, _): return "/callback/\(hostname)/…"
        case .metrics: return "/metrics"
        case .nothing: return "/"
        }
    }
}
