import Inventory

/// A profile folder packed into one text, so libFuzzer can mutate several files and their cross-file checks at
/// once. A line `#file PATH` starts a file (a YAML comment, so each part is still plain YAML); paths under
/// `templates/` are templates, others profiles; text before the first marker is the profile `fuzz.yaml`. A line
/// `#unknown_machines NAME` makes machines without a profile boot template NAME instead of their local disk.
///
/// `scripts/fuzz-seeds.sh` packs `profiles/` and `Tests/Fixtures/broken-profiles/profiles/` this way.
struct ProfileBundle {
    static let fileMarker = "#file "
    static let unknownMachinesMarker = "#unknown_machines "

    var profiles: [YAMLSource] = []
    var templates: [YAMLSource] = []
    var unknownMachines: String?

    init(_ text: String) {
        var path = "fuzz.yaml"
        var lines: [Substring] = []
        func flush() {
            guard !(path == "fuzz.yaml" && lines.isEmpty) else { return }
            let source = YAMLSource(path: path, text: lines.joined(separator: "\n"))
            if path.hasPrefix("templates/") { templates.append(source) } else { profiles.append(source) }
        }
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix(Self.fileMarker) {
                flush()
                path = String(line.dropFirst(Self.fileMarker.count))
                lines = []
            } else {
                if line.hasPrefix(Self.unknownMachinesMarker) {
                    unknownMachines = String(line.dropFirst(Self.unknownMachinesMarker.count))
                }
                lines.append(line)
            }
        }
        flush()
    }

    /// The two racks of `docs/examples/rackboot.yaml`, whose profiles are the seeds; kernels whose path mentions
    /// `missing` are absent from the TFTP root, so that warning is reachable too.
    static func context(unknownMachines: String?) -> InventoryContext {
        let server = IPv4Address(rawValue: 0x0A14_0002)  // 10.20.0.2
        return InventoryContext(
            subnets: [
                .init(
                    network: network("10.20.0.0/24"), nextServer: server, router: IPv4Address("10.20.0.1"),
                    pools: [IPv4Range("10.20.0.100-10.20.0.199")!], location: .startOf("rackboot.yaml")),
                .init(
                    network: network("10.30.0.0/24"), nextServer: server, router: IPv4Address("10.30.0.1"),
                    pools: [IPv4Range("10.30.0.100-10.30.0.199")!], location: .startOf("rackboot.yaml")),
            ],
            defaultServer: server,
            unknownMachinePolicy: unknownMachines.map { .template(Located($0, at: .startOf("rackboot.yaml"))) }
                ?? .localBoot,
            bootFileRootDescription: "tftproot/", bootFileExists: { !$0.contains("missing") })
    }

    private static func network(_ text: String) -> IPv4Network {
        guard case .success(let network) = IPv4Network.parse(text) else { fatalError("bad network \(text)") }
        return network
    }
}
