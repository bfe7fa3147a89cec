#if canImport(Glibc)
    import TFTPCore
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads an interface's MTU from sysfs, so blksize is clamped to what the link the client sits on carries
/// (docs/protocol.md, "blksize and the MTU"). NIO's `NIONetworkDevice` does not expose the MTU.
enum TFTPInterfaceMTU {
    /// The MTU to assume when the interface cannot be asked.
    static let fallback = 1500

    static func lookup(interfaceIndex: Int) -> Int? {
        var name = [CChar](repeating: 0, count: Int(IF_NAMESIZE) + 1)
        guard interfaceIndex > 0, if_indextoname(UInt32(interfaceIndex), &name) != nil else { return nil }
        let interface = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let descriptor = open("/sys/class/net/\(interface)/mtu", O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var text = [UInt8](repeating: 0, count: 16)
        let count = read(descriptor, &text, text.count)
        guard count > 0 else { return nil }
        let digits = text[0..<count].prefix { (0x30...0x39).contains($0) }
        return Int(String(decoding: digits, as: UTF8.self))
    }
}
