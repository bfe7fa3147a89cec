/// Namespace of the DHCP server (issue #4).
///
/// - `Wire/`: the message codec (`ByteBuffer.readDHCPMessage()` / `writeDHCPMessage(_:maximumLength:)`).
/// - `Engine/`: the pure decisions (DORA, reservations, pool, PXE boot information, reply destination).
/// - `Leases/`: the in-memory lease table and, to come, the durable `LeaseStore`.
/// The SwiftNIO `Server/` adapter is not built yet, so `rackboot serve` serves TFTP only.
public enum DHCP {}
