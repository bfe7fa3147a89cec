import HTTPCore
import Testing

@Suite struct HTTPRequestPathTests {
    @Test func decodesOnceAndDropsEmptyAndDotSegments() throws {
        let path = try HTTPRequestPath(target: "//ipxe/./01-52-54-00-00-00-01.ipxe?x=1")
        #expect(path.segments == ["ipxe", "01-52-54-00-00-00-01.ipxe"])
        #expect(path.query == "x=1")
        #expect(try HTTPRequestPath(target: "/a%20b/c").path == "a b/c")
    }

    @Test(arguments: [
        "/../etc/passwd", "/a/../../etc/passwd", "/%2e%2e/etc/passwd", "/%2E%2e/x", "/a/%2e%2e",
    ])
    func refusesParentSegments(_ target: String) {
        #expect(throws: HTTPRequestPathError.parentDirectorySegment) { try HTTPRequestPath(target: target) }
    }

    @Test func doubleEncodingStaysLiteral() throws {
        // %252e%252e decodes once to the file name "%2e%2e", which is not "..".
        let path = try HTTPRequestPath(target: "/%252e%252e/%252e%252e/etc/passwd")
        #expect(path.segments == ["%2e%2e", "%2e%2e", "etc", "passwd"])
    }

    @Test(arguments: ["/a%2fb", "/a%5cb", "/a\\b", "/a%00b"])
    func refusesEncodedSeparatorsAndNUL(_ target: String) {
        #expect(throws: HTTPRequestPathError.forbiddenCharacter) { try HTTPRequestPath(target: target) }
    }

    @Test func refusesBadEncodingsAndForms() {
        #expect(throws: HTTPRequestPathError.badPercentEncoding) { try HTTPRequestPath(target: "/a%2") }
        #expect(throws: HTTPRequestPathError.badPercentEncoding) { try HTTPRequestPath(target: "/a%zz") }
        #expect(throws: HTTPRequestPathError.notUTF8) { try HTTPRequestPath(target: "/a%ff") }
        #expect(throws: HTTPRequestPathError.notOriginForm) { try HTTPRequestPath(target: "ftp://x/a") }
        #expect(throws: HTTPRequestPathError.notOriginForm) { try HTTPRequestPath(target: "x:80") }
        #expect(throws: HTTPRequestPathError.notOriginForm) { try HTTPRequestPath(target: "*") }
        #expect(throws: HTTPRequestPathError.tooLong) {
            try HTTPRequestPath(target: "/" + String(repeating: "a", count: 5000))
        }
    }

    @Test func absoluteFormServesItsPath() throws {
        #expect(try HTTPRequestPath(target: "http://10.0.0.1:8080/ipxe/a.ipxe").path == "ipxe/a.ipxe")
        #expect(try HTTPRequestPath(target: "HTTP://host/a?b=1").query == "b=1")
        #expect(try HTTPRequestPath(target: "http://host").segments == [])
        #expect(try HTTPRequestPath(target: "http://host?x=1").query == "x=1")
        #expect(throws: HTTPRequestPathError.parentDirectorySegment) {
            try HTTPRequestPath(target: "http://host/../etc/passwd")
        }
    }

    @Test func queryValues() throws {
        let path = try HTTPRequestPath(target: "/x?a=1&token=ab%2Bc&b")
        #expect(path.queryValue("token") == "ab+c")
        #expect(path.queryValue("b") == nil)
    }
}

@Suite struct HTTPRouteTests {
    @Test func routes() throws {
        #expect(
            HTTPRoute(path: try .init(target: "/files/web-01/preseed.cfg"))
                == .answerFile(hostname: "web-01", name: "preseed.cfg"))
        #expect(
            HTTPRoute(path: try .init(target: "/callback/web-01/abc"))
                == .installCallback(hostname: "web-01", token: "abc"))
        #expect(HTTPRoute(path: try .init(target: "/debian12/linux")) == .bootFile(path: "debian12/linux"))
        #expect(HTTPRoute(path: try .init(target: "/")) == .nothing)
        #expect(HTTPRoute(path: try .init(target: "/files/web-01")) == .nothing)
        #expect(HTTPRoute(path: try .init(target: "/callback/web-01/a/b")) == .nothing)
        #expect(HTTPRoute(path: try .init(target: "/metrics")) == .metrics)
        #expect(HTTPRoute(path: try .init(target: "/metrics/x")) == .bootFile(path: "metrics/x"))
        #expect(HTTPRoute.metrics.allowedMethods == ["GET", "HEAD"])
    }

    @Test func theTokenNeverReachesTheLog() {
        let route = HTTPRoute.installCallback(hostname: "web-01", token: "secret")
        #expect(!route.loggedPath.contains("secret"))
        #expect(route.allowedMethods == ["GET", "POST"])
    }
}

@Suite struct HTTPByteRangeTests {
    @Test func singleRanges() {
        #expect(HTTPByteRange(header: nil, size: 100) == .whole)
        #expect(HTTPByteRange(header: "bytes=0-9", size: 100) == .partial(0...9))
        #expect(HTTPByteRange(header: "bytes=90-", size: 100) == .partial(90...99))
        #expect(HTTPByteRange(header: "bytes=-10", size: 100) == .partial(90...99))
        #expect(HTTPByteRange(header: "bytes=-1000", size: 100) == .partial(0...99))
        #expect(HTTPByteRange(header: "bytes=50-1000", size: 100) == .partial(50...99))
        #expect(HTTPByteRange(header: "BYTES=1-1", size: 100) == .partial(1...1))
    }

    @Test func unsatisfiableAndIgnored() {
        #expect(HTTPByteRange(header: "bytes=100-", size: 100) == .unsatisfiable)
        #expect(HTTPByteRange(header: "bytes=200-300", size: 100) == .unsatisfiable)
        #expect(HTTPByteRange(header: "bytes=-0", size: 100) == .unsatisfiable)
        #expect(HTTPByteRange(header: "bytes=0-1,5-6", size: 100) == .whole)
        #expect(HTTPByteRange(header: "bytes=9-1", size: 100) == .whole)
        #expect(HTTPByteRange(header: "items=0-1", size: 100) == .whole)
        #expect(HTTPByteRange(header: "bytes=a-b", size: 100) == .whole)
        #expect(HTTPByteRange(header: "bytes=-", size: 100) == .whole)
        #expect(HTTPByteRange(header: "bytes=+1-2", size: 100) == .whole)
    }

    @Test func responsePlans() {
        let head = HTTPFileResponsePlan(size: 100, rangeHeader: nil, isHead: true)
        #expect(head.status == .ok && head.contentLength == 100 && head.body == nil)
        let part = HTTPFileResponsePlan(size: 100, rangeHeader: "bytes=10-19", isHead: false)
        #expect(part.status == .partialContent && part.contentLength == 10 && part.body == 10..<20)
        #expect(part.contentRange == "bytes 10-19/100")
        let none = HTTPFileResponsePlan(size: 100, rangeHeader: "bytes=100-", isHead: false)
        #expect(none.status == .rangeNotSatisfiable && none.contentRange == "bytes */100" && none.body == nil)
    }
}
