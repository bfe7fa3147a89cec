/// The options of one DHCP message, in order, one entry per code.
///
/// A code that appears several times on the wire is one option whose value is the concatenation (RFC 3396 §5), and
/// a value longer than 255 bytes is split into several instances when encoded; so callers only ever see whole
/// values. Order matters on the way out: option 53 first, then what the client asked for in option 55's order.
public struct DHCPOptions: Hashable, Sendable {
    public struct Option: Hashable, Sendable {
        public var code: DHCPOptionCode
        public var value: [UInt8]

        public init(_ code: DHCPOptionCode, _ value: [UInt8]) {
            self.code = code
            self.value = value
        }
    }

    public private(set) var options: [Option] = []

    public init() {}

    public init(_ options: [Option]) {
        for option in options { append(option.code, option.value) }
    }

    public var isEmpty: Bool { options.isEmpty }

    public var codes: [DHCPOptionCode] { options.map(\.code) }

    /// The value of `code`; setting `nil` removes it, setting a value replaces it in place or appends it.
    public subscript(code: DHCPOptionCode) -> [UInt8]? {
        get { options.first { $0.code == code }?.value }
        set {
            if let index = options.firstIndex(where: { $0.code == code }) {
                if let newValue { options[index].value = newValue } else { options.remove(at: index) }
            } else if let newValue {
                options.append(Option(code, newValue))
            }
        }
    }

    /// Adds `value` to `code`: appended to an existing value (RFC 3396 concatenation) or as a new option at the end.
    public mutating func append(_ code: DHCPOptionCode, _ value: [UInt8]) {
        if let index = options.firstIndex(where: { $0.code == code }) {
            options[index].value += value
        } else {
            options.append(Option(code, value))
        }
    }
}
