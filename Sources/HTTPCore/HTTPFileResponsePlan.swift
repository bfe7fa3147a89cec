/// The status, headers and byte span of a response that carries (part of) a file or rendered text of known size.
///
/// Pure: the adapter only writes what this says. `HEAD` gets the same status and headers as `GET` with no body
/// (RFC 9110 §9.3.2).
public struct HTTPFileResponsePlan: Hashable, Sendable {
    public enum Status: Int, Sendable {
        case ok = 200
        case partialContent = 206
        case rangeNotSatisfiable = 416
    }

    public let status: Status
    /// `Content-Length`: the bytes the body has (or would have, for HEAD).
    public let contentLength: UInt64
    /// `Content-Range`, for 206 and 416.
    public let contentRange: String?
    /// The file bytes to send; nil for HEAD and 416.
    public let body: Range<UInt64>?

    public init(size: UInt64, rangeHeader: String?, isHead: Bool) {
        switch HTTPByteRange(header: rangeHeader, size: size) {
        case .whole:
            status = .ok
            contentLength = size
            contentRange = nil
            body = isHead ? nil : 0..<size
        case .partial(let range):
            status = .partialContent
            contentLength = range.upperBound - range.lowerBound + 1
            contentRange = "bytes \(range.lowerBound)-\(range.upperBound)/\(size)"
            body = isHead ? nil : range.lowerBound..<(range.upperBound + 1)
        case .unsatisfiable:
            status = .rangeNotSatisfiable
            contentLength = 0
            contentRange = "bytes */\(size)"
            body = nil
        }
    }
}
