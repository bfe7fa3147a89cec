/// Namespace of the TFTP server (issue #3).
///
/// - `Wire/`: the packet codec (`ByteBuffer.readTFTPPacket()` / `writeTFTPPacket(_:)`).
/// - `Transfer/`: the pure read-transfer state machine (`TFTPReadTransfer`) and option negotiation.
/// - `Files/`: file-name normalisation, the jailed root, inventory-rendered files and block sources.
/// - `Server/`: the SwiftNIO adapter that carries out the state machine's actions (not written yet).
public enum TFTP {
    /// Whether this build can serve TFTP. `false` until the `Server/` adapter lands: the pure parts exist but
    /// nothing listens on a socket yet.
    public static let isImplemented = false
}
