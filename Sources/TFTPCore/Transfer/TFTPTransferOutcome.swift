/// How a read transfer ended. Only `.failed` is an error worth a warning in the log; the rest are normal ends.
public enum TFTPTransferOutcome: Hashable, Sendable {
    /// Every block was sent. `finalAcknowledgementReceived` is false when the client never acknowledged the last
    /// window even after retransmissions: "some clients never send it" (dnsmasq `tftp.c`, protocol notes A.21).
    case completed(finalAcknowledgementReceived: Bool)
    /// The client answered the OACK with ERROR 8. UEFI does this on purpose after a tsize probe and then asks
    /// again (pin/tftp#125, protocol notes A.13): log as info, not as an error.
    case clientDeclinedOptions(message: String)
    /// The client sent an ERROR and stopped (RFC 1350 §7).
    case abandonedByClient(code: TFTPErrorCode, message: String)
    /// The client's address answered a packet with ICMP unreachable (`ECONNREFUSED` on the connected socket): the
    /// client went away, typically a machine reset in the middle of its boot.
    case clientWentAway
    /// The server gave up.
    case failed(TFTPTransferFailure)
}
