import CoreMetrics
import TFTPCore

/// The TFTP server's counters, through swift-metrics (docs/monitoring.md lists the names). Transfers are counted
/// when they start and end, never per block, so the pumps' per-block path stays free of them.
final class TFTPMetrics: Sendable {
    /// How a transfer ended: the `outcome` label of `rackboot_tftp_transfers_ended_total`.
    enum Outcome: String, CaseIterable {
        case completed
        /// The client took the size from the OACK and ended the transfer (UEFI and GRUB probe sizes this way).
        case sizeProbe = "size_probe"
        case clientAborted = "client_aborted"
        case clientGone = "client_gone"
        case failed
    }

    /// Why an RRQ started no transfer: the `reason` label of `rackboot_tftp_requests_refused_total`.
    enum Refusal: String, CaseIterable {
        case notFound = "not_found"
        /// A loader's routine search for a config that does not exist (pxelinux's and GRUB's lookup order).
        case configProbe = "config_probe"
        case accessViolation = "access_violation"
        case busy
        case writeRequest = "write_request"
        case other
    }

    private let started = Counter(label: "rackboot_tftp_transfers_started_total")
    private let ended: [Outcome: Counter]
    private let refused: [Refusal: Counter]
    private let bytes = Counter(label: "rackboot_tftp_sent_bytes_total")
    private let retransmissions = Counter(label: "rackboot_tftp_retransmitted_packets_total")

    init() {
        var ended: [Outcome: Counter] = [:]
        for outcome in Outcome.allCases {
            ended[outcome] = Counter(
                label: "rackboot_tftp_transfers_ended_total", dimensions: [("outcome", outcome.rawValue)])
        }
        self.ended = ended
        var refused: [Refusal: Counter] = [:]
        for reason in Refusal.allCases {
            refused[reason] = Counter(
                label: "rackboot_tftp_requests_refused_total", dimensions: [("reason", reason.rawValue)])
        }
        self.refused = refused
    }

    func transferStarted() { started.increment() }

    func requestRefused(_ reason: Refusal) { refused[reason]?.increment() }

    func requestRefused(code: TFTPErrorCode) {
        switch code {
        case .fileNotFound: requestRefused(.notFound)
        case .accessViolation: requestRefused(.accessViolation)
        default: requestRefused(.other)
        }
    }

    /// A transfer is over: its outcome, the payload bytes the client acknowledged and the packets sent again.
    func transferEnded(_ outcome: TFTPTransferOutcome, _ statistics: TFTPTransferStatistics) {
        let label: Outcome =
            switch outcome {
            case .completed: .completed
            case .clientDeclinedOptions: .sizeProbe
            case .abandonedByClient: .clientAborted
            case .clientWentAway: .clientGone
            case .failed: .failed
            }
        ended[label]?.increment()
        bytes.increment(by: Int64(clamping: statistics.bytesAcknowledged))
        retransmissions.increment(by: Int64(clamping: statistics.retransmittedPackets))
    }
}
