import Inventory

/// What FuzzProfile does with one input, shared with InventoryTests' regression replay (that target links this
/// file), so a committed crasher is replayed through exactly the fuzzed path.
///
/// The input is a profile folder packed into one text (`ProfileBundle`), which must be UTF-8 as the loader requires
/// of every file. Properties checked (a violation traps, which libFuzzer reports as a crash): building the inventory
/// never traps; it either fails with at least one error diagnostic, or yields a snapshot with no error whose every
/// machine is found by its MACs and IP and has its boot config rendered in every format under a name that gives
/// its MAC back, beside the fallback configs.
enum ProfileFuzzHarness {
    enum Outcome: Hashable, CustomStringConvertible {
        case notUTF8
        /// The errors' count and the first one's line, as `rackboot check` prints it (without its notes).
        case rejected(errors: Int, first: String)
        case loaded(machines: Int)

        var description: String {
            switch self {
            case .notUTF8: return "not UTF-8"
            case .rejected(let errors, let first): return "rejected: \(errors) error(s), first \(first)"
            case .loaded(let machines): return "loaded \(machines) machine(s)"
            }
        }
    }

    static func run(_ bytes: some Collection<UInt8>) -> Outcome {
        guard let text = String(validating: bytes, as: UTF8.self) else { return .notUTF8 }
        let bundle = ProfileBundle(text)
        let collector = DiagnosticCollector()
        let inventory = InventoryBuilder.build(
            profiles: bundle.profiles, templates: bundle.templates,
            context: ProfileBundle.context(unknownMachines: bundle.unknownMachines),
            collector: collector)
        let errors = collector.diagnostics.filter { $0.severity == .error }
        guard let inventory else {
            precondition(!errors.isEmpty, "no inventory, yet no error says why")
            let first = errors.sorted { $0.location < $1.location }[0]
            return .rejected(errors: errors.count, first: "\(first.location): error: \(first.message)")
        }
        precondition(errors.isEmpty, "an inventory despite errors")
        for machine in inventory.machines {
            for mac in machine.macs {
                precondition(inventory.machine(for: mac)?.hostname == machine.hostname, "lookup by \(mac) failed")
                for format in BootConfigFormat.allCases {
                    let config = inventory.bootConfig(for: mac, format: format)
                    precondition(
                        config.path == format.fileName(for: mac) && !config.contents.isEmpty,
                        "\(machine.hostname) has no \(format) config")
                    precondition(BootConfigFormat.mac(inFileName: config.path) == mac, "\(config.path) names no MAC")
                }
            }
            if let ip = machine.ip {
                precondition(inventory.machine(for: ip)?.hostname == machine.hostname, "lookup by \(ip) failed")
            }
        }
        for format in BootConfigFormat.allCases {
            precondition(inventory.renderedFile(at: format.fallbackFileName) != nil, "no \(format.fallbackFileName)")
        }
        return .loaded(machines: inventory.machines.count)
    }
}
