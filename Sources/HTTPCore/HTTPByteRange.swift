/// What a `Range` header asks of a representation of known size (RFC 9110 §14.2, docs/protocol.md, "HTTP ranges").
///
/// Only single byte ranges are honoured: that is what installers, iPXE and UEFI HTTP boot send to resume or split a
/// download. A header this server does not understand (another unit, several ranges, bad syntax) is ignored and the
/// whole file is sent, which RFC 9110 §14.2 allows.
public enum HTTPByteRange: Hashable, Sendable {
    /// No usable Range header: send everything with 200.
    case whole
    /// Send `range` (inclusive bounds, in bytes) with 206 and `Content-Range: bytes first-last/size`.
    case partial(ClosedRange<UInt64>)
    /// A syntactically valid range entirely past the end: 416 with `Content-Range: bytes */size`.
    case unsatisfiable

    public init(header: String?, size: UInt64) {
        guard let header else {
            self = .whole
            return
        }
        let trimmed = header.trimmingCharacters(in: " \t")
        guard trimmed.lowercased().hasPrefix("bytes=") else {
            self = .whole
            return
        }
        let spec = trimmed.dropFirst("bytes=".count).trimmingCharacters(in: " \t")
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else {
            self = .whole
            return
        }
        let firstText = spec[..<dash]
        let lastText = spec[spec.index(after: dash)...]
        switch (UInt64(firstText), UInt64(lastText)) {
        case (let first?, let last?) where firstText.allSatisfy(\.isASCIIDigit) && lastText.allSatisfy(\.isASCIIDigit):
            guard first <= last else {
                self = .whole
                return
            }
            self = first < size ? .partial(first...min(last, size - 1)) : .unsatisfiable
        case (let first?, nil) where lastText.isEmpty && firstText.allSatisfy(\.isASCIIDigit):
            self = first < size ? .partial(first...(size - 1)) : .unsatisfiable
        case (nil, let suffix?) where firstText.isEmpty && lastText.allSatisfy(\.isASCIIDigit):
            guard suffix > 0, size > 0 else {
                self = .unsatisfiable
                return
            }
            self = .partial((size - min(suffix, size))...(size - 1))
        default:
            self = .whole
        }
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}

extension StringProtocol {
    fileprivate func trimmingCharacters(in set: String) -> Substring {
        var slice = self[...]
        while let first = slice.first, set.contains(first) { slice = slice.dropFirst() }
        while let last = slice.last, set.contains(last) { slice = slice.dropLast() }
        return Substring(slice)
    }
}
