import Inventory

/// Typed views of the options Rackboot reads and writes. A getter returns `nil` when the option is absent or its
/// length is wrong for its type (a zero-length option 53 is no message type at all).
extension DHCPOptions {
    public var messageType: DHCPMessageType? {
        get { byte(.messageType).flatMap(DHCPMessageType.init(rawValue:)) }
        set { self[.messageType] = newValue.map { [$0.rawValue] } }
    }

    public var requestedAddress: IPv4Address? {
        get { address(.requestedAddress) }
        set { self[.requestedAddress] = newValue?.octets }
    }

    public var serverIdentifier: IPv4Address? {
        get { address(.serverIdentifier) }
        set { self[.serverIdentifier] = newValue?.octets }
    }

    /// Option 55: the codes the client wants, in its order of preference.
    public var parameterRequestList: [DHCPOptionCode] {
        (self[.parameterRequestList] ?? []).map(DHCPOptionCode.init(rawValue:))
    }

    /// Option 57: the largest DHCP message the client accepts; values below 576 are invalid (RFC 2132 §9.10).
    public var maximumMessageSize: Int? {
        guard let size = uint16(.maximumMessageSize), size >= 576 else { return nil }
        return Int(size)
    }

    /// Option 60 as text, such as `PXEClient:Arch:00007:UNDI:003016`.
    public var vendorClassIdentifier: String? {
        get { self[.vendorClassIdentifier].map { String(decoding: $0, as: UTF8.self) } }
        set { self[.vendorClassIdentifier] = newValue.map { Array($0.utf8) } }
    }

    /// Option 93: every architecture the client lists (RFC 4578 §2.1 allows a list of 16-bit codes).
    public var clientArchitectures: [UInt16] {
        guard let value = self[.clientArchitecture], !value.isEmpty, value.count % 2 == 0 else { return [] }
        return stride(from: 0, to: value.count, by: 2).map { UInt16(value[$0]) << 8 | UInt16(value[$0 + 1]) }
    }

    /// Option 77 holds `name`: either as the whole value (what iPXE sends) or as one RFC 3004 §4 length-prefixed
    /// user class.
    public func userClassContains(_ name: String) -> Bool {
        guard let value = self[.userClass] else { return false }
        let wanted = Array(name.utf8)
        if value == wanted { return true }
        var index = 0
        while index < value.count {
            let length = Int(value[index])
            let end = index + 1 + length
            guard length > 0, end <= value.count else { return false }
            if Array(value[(index + 1)..<end]) == wanted { return true }
            index = end
        }
        return false
    }

    /// Option 61 when well-formed: a type byte and at least one byte of identifier (RFC 2132 §9.14). Shorter
    /// values (a zero-length option 61) are no identifier at all.
    public var clientIdentifier: [UInt8]? {
        guard let value = self[.clientIdentifier], value.count >= 2 else { return nil }
        return value
    }

    /// Why option 82 cannot be echoed to its relay, or `nil` when it is absent or well-formed: RFC 3046 §2.0 makes
    /// it one or more code-length-value sub-options filling the value exactly.
    public var relayAgentInformationProblem: String? {
        guard let value = self[.relayAgentInformation] else { return nil }
        guard !value.isEmpty else { return "option 82 has no sub-options" }
        var index = 0
        while index < value.count {
            guard index + 1 < value.count else { return "option 82 sub-option \(value[index]) has no length byte" }
            let length = Int(value[index + 1])
            guard index + 2 + length <= value.count else {
                return "option 82 sub-option \(value[index]) claims \(length) bytes but only "
                    + "\(value.count - index - 2) remain"
            }
            index += 2 + length
        }
        return nil
    }

    public var leaseTime: UInt32? {
        get { uint32(.leaseTime) }
        set { self[.leaseTime] = newValue.map(bigEndianBytes) }
    }

    /// Option 52: which of `file` and `sname` carry options.
    var overload: (file: Bool, sname: Bool) {
        guard let value = byte(.overload) else { return (false, false) }
        return (value & 1 != 0, value & 2 != 0)
    }

    private func byte(_ code: DHCPOptionCode) -> UInt8? {
        guard let value = self[code], value.count == 1 else { return nil }
        return value[0]
    }

    private func uint16(_ code: DHCPOptionCode) -> UInt16? {
        guard let value = self[code], value.count == 2 else { return nil }
        return UInt16(value[0]) << 8 | UInt16(value[1])
    }

    private func uint32(_ code: DHCPOptionCode) -> UInt32? {
        guard let value = self[code], value.count == 4 else { return nil }
        return value.reduce(0) { $0 << 8 | UInt32($1) }
    }

    private func address(_ code: DHCPOptionCode) -> IPv4Address? {
        uint32(code).map(IPv4Address.init(rawValue:))
    }
}

/// Network byte order.
func bigEndianBytes(_ value: UInt32) -> [UInt8] {
    [UInt8(value >> 24), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)]
}
