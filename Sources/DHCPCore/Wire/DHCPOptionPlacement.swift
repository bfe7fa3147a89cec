/// Where each encoded option goes: the options field first, then `file`, then `sname` (RFC 2131 §4.1 order), so
/// that a value split across them concatenates back in order (RFC 3396).
struct DHCPOptionPlacement {
    /// The options field's bytes, ending with option 255.
    private(set) var options: [UInt8] = []
    /// `file` filled with options, or `nil` when it keeps the boot file name.
    private(set) var file: [UInt8]?
    /// `sname` filled with options, or `nil` when it keeps the server name.
    private(set) var sname: [UInt8]?

    init(message: DHCPMessage, maximumLength: Int) throws(DHCPEncodingError) {
        let pieces = message.options.options.flatMap(Self.encode)
        let mainRoom = maximumLength - DHCPMessage.headerLength - DHCPMessage.magicCookie.count - 1
        let total = pieces.reduce(0) { $0 + $1.count }
        if total <= mainRoom {
            options = pieces.flatMap { $0 } + [DHCPOptionCode.end.rawValue]
            return
        }
        // Overloading costs 3 bytes for option 52 itself; each overloaded field needs its own option 255.
        var areas: [(room: Int, bytes: [UInt8], field: DHCPOptionField)] = [(mainRoom - 3, [], .options)]
        if message.bootFileName.isEmpty { areas.append((128 - 1, [], .file)) }
        if message.serverName.isEmpty { areas.append((64 - 1, [], .sname)) }
        var area = 0
        for piece in pieces {
            while area < areas.count, areas[area].bytes.count + piece.count > areas[area].room { area += 1 }
            guard area < areas.count else {
                let available = areas.reduce(0) { $0 + $1.room }
                throw .optionsDoNotFit(needed: total, available: available)
            }
            areas[area].bytes += piece
        }
        var overload: UInt8 = 0
        for used in areas where used.field != .options && !used.bytes.isEmpty {
            let bytes = used.bytes + [DHCPOptionCode.end.rawValue]
            if used.field == .file {
                file = bytes
                overload |= 1
            } else {
                sname = bytes
                overload |= 2
            }
        }
        options =
            areas[0].bytes + (overload == 0 ? [] : [DHCPOptionCode.overload.rawValue, 1, overload])
            + [DHCPOptionCode.end.rawValue]
    }

    /// One option as code-length-value pieces of at most 255 value bytes each (RFC 3396 §6).
    private static func encode(_ option: DHCPOptions.Option) -> [[UInt8]] {
        guard !option.value.isEmpty else { return [[option.code.rawValue, 0]] }
        return stride(from: 0, to: option.value.count, by: 255).map { start in
            let chunk = option.value[start..<min(start + 255, option.value.count)]
            return [option.code.rawValue, UInt8(chunk.count)] + chunk
        }
    }
}
