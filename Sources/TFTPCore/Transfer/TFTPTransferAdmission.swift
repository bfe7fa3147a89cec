/// What to do with a read request, given the transfers already running (`TFTPTransferTable.admit`).
public enum TFTPTransferAdmission: Hashable, Sendable {
    /// Start the transfer; its slot is held until `TFTPTransferTable.finish` is called for the same client.
    case start
    /// The same client address and port already has a transfer running: this RRQ is a resend (clients repeat it
    /// when the first OACK or DATA is slow), so it is dropped rather than starting a second transfer whose DATA
    /// would arrive from a second TID and confuse the client (RFC 1350 §4; tftp-hpa and dnsmasq do the same).
    case duplicate
    /// The cap on concurrent transfers is reached; answer ERROR 0 with `message`, so the client fails fast and
    /// says why instead of timing out.
    case busy(message: String)
}
