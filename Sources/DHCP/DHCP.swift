/// Namespace of the DHCP server (issue #4).
///
/// - `Wire/`: the message codec (`ByteBuffer.readDHCPMessage()` / `writeDHCPMessage(_:maximumLength:)`).
/// - `Engine/`: the pure decisions (DORA, reservations, pool, PXE boot information, reply destination).
/// - `Leases/`: the in-memory lease table and the durable `LeaseStore` (SQLite).
/// - `Server/`: the SwiftNIO adapter (`DHCPServer`): one channel per served interface, commits before replies.
public enum DHCP {}
