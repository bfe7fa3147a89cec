/// Namespace of the TFTP server (issue #3).
///
/// - `Wire/`: the packet codec (`ByteBuffer.readTFTPPacket()` / `writeTFTPPacket(_:)`).
/// - `Transfer/`: the pure read-transfer state machine (`TFTPReadTransfer`) and option negotiation.
/// - `Files/`: file-name normalisation, the jailed root, inventory-rendered files and block sources.
/// - `Server/`: the SwiftNIO adapter (`TFTPServer`) that carries out the state machine's actions.
public enum TFTP {}
