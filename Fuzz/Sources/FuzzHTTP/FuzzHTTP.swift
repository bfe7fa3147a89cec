import HTTPCore

/// libFuzzer entry point: one input is a request target and a `Range` header value (split at the first newline),
/// as a client may send them. Checked: decoding never crashes; a decoded path has no empty, `.` or `..` segment
/// and no `/`, `\` or NUL inside a segment; a route's logged path never holds a callback token; a response plan's
/// body lies inside the file.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTPRequest(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let split = bytes.firstIndex(of: UInt8(ascii: "\n")) ?? bytes.endIndex
    let target = String(decoding: bytes[..<split], as: UTF8.self)
    let range = split < bytes.endIndex ? String(decoding: bytes[(split + 1)...], as: UTF8.self) : nil
    if let path = try? HTTPRequestPath(target: target) {
        for segment in path.segments {
            precondition(!segment.isEmpty && segment != "." && segment != "..", "bad segment \(segment)")
            precondition(!segment.contains("/") && !segment.contains("\\") && !segment.utf8.contains(0))
        }
        let route = HTTPRoute(path: path)
        if case .installCallback(_, let token) = route, !token.isEmpty {
            precondition(!route.loggedPath.hasSuffix(token), "token in the logged path")
        }
    }
    for size in [UInt64(0), 1, 100, UInt64(size) * 1000] {
        let plan = HTTPFileResponsePlan(size: size, rangeHeader: range, isHead: false)
        if let body = plan.body {
            precondition(body.upperBound <= size && UInt64(body.count) == plan.contentLength, "body outside file")
        }
    }
    return 0
}
