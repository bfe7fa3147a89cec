import Inventory
import NIOCore
import TFTPCore

/// The fixed world the TFTP fuzz inputs meet: the sizes and MTUs a request is negotiated against, an inventory
/// with one rendered machine, and transfers already running for ACK and ERROR packets to land in.
enum TFTPFuzzSetting {
    /// Empty, one short block, a 40 MiB kernel (block-number rollover at small blksize), and a huge stream.
    static let transferSizes: [UInt64] = [0, 27, 40 << 20, 1 << 40]
    /// Unknown, Ethernet, the IPv4 minimum, jumbo, and one too small for any blksize.
    static let interfaceMTUs: [Int?] = [nil, 1500, 576, 9000, 30]
    static let limits = TFTPTransferLimits(blockSizeCeiling: 1468, windowSizeCeiling: 32)
    static let start = NIODeadline.uptimeNanoseconds(1_000_000_000)
    static let later = start + .milliseconds(5)

    /// An octet transfer waiting for ACK 0 of its OACK, and one in its first window of 4 blocks.
    static func runningTransfers() -> [TFTPReadTransfer] {
        let options = [TFTPOption(name: "blksize", value: "1408"), TFTPOption(name: "windowsize", value: "4")]
        var awaitingOACK = TFTPReadTransfer(
            request: TFTPRequest(filename: "linux", mode: .octet, options: options), transferSize: 40 << 20,
            interfaceMTU: 1500, limits: limits)
        _ = awaitingOACK.start(now: start)
        var transferring = awaitingOACK
        _ = transferring.receivedAcknowledgement(block: 0, now: start)
        return [awaitingOACK, transferring]
    }

    static let inventory: Inventory = {
        let server = IPv4Address(rawValue: 0x0A14_0002)  // 10.20.0.2
        let collector = DiagnosticCollector()
        guard case .success(let network) = IPv4Network.parse("10.20.0.0/24") else { fatalError("bad network") }
        let context = InventoryContext(
            subnets: [.init(network: network, nextServer: server, location: .startOf("config"))],
            defaultServer: server, bootFileRootDescription: "root", bootFileExists: { _ in true })
        let inventory = InventoryBuilder.build(
            profiles: [
                YAMLSource(
                    path: "web-01.yaml",
                    text: "hostname: web-01\nmacs: [52:54:00:20:00:11]\n"
                        + "ip: 10.20.0.11\ntemplate: os\nstate: install")
            ],
            templates: [YAMLSource(path: "templates/os.yaml", text: "kernel: os/linux\ncmdline: host={{hostname}}")],
            context: context, collector: collector)
        guard let inventory else { fatalError("the fuzz inventory does not load: \(collector.diagnostics)") }
        return inventory
    }()
}
