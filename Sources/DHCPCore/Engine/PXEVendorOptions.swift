/// The PXE sub-options carried in option 43 when option 60 is `PXEClient` (PXE 2.1 §2.4).
struct PXEVendorOptions {
    /// Sub-option 71: the boot server type and layer a client asks the boot server for.
    struct BootItem: Hashable {
        var type: UInt16
        /// Bit 15 asks for credentials (boot integrity services); the rest is the layer number.
        var layer: UInt16
    }

    private(set) var subOptions: [UInt8: [UInt8]] = [:]
    /// Why the sub-options are malformed (a code without its length, a length past the end), or `nil`.
    private(set) var problem: String?

    /// Parses code-length-value sub-options up to 255 or the end; stops at the first malformed one and says why.
    init(_ value: [UInt8]) {
        var index = 0
        while index < value.count {
            let code = value[index]
            if code == 255 { break }
            if code == 0 {
                index += 1
                continue
            }
            guard index + 1 < value.count else {
                problem = "sub-option \(code) has no length byte"
                return
            }
            let length = Int(value[index + 1])
            guard index + 2 + length <= value.count else {
                problem = "sub-option \(code) claims \(length) bytes but only \(value.count - index - 2) remain"
                return
            }
            subOptions[code] = Array(value[(index + 2)..<(index + 2 + length)])
            index += 2 + length
        }
    }

    var bootItem: BootItem? {
        guard let value = subOptions[71], value.count == 4 else { return nil }
        return BootItem(type: UInt16(value[0]) << 8 | UInt16(value[1]), layer: UInt16(value[2]) << 8 | UInt16(value[3]))
    }

    /// Option 43 echoing a boot item, as the boot server's DHCPACK must (PXE 2.1 §2.2.3).
    static func encodeBootItem(_ item: BootItem) -> [UInt8] {
        [71, 4, UInt8(item.type >> 8), UInt8(item.type & 0xff), UInt8(item.layer >> 8), UInt8(item.layer & 0xff), 255]
    }
}
