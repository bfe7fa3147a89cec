import Inventory

/// libFuzzer entry point: one input is a profile folder packed into one text (`ProfileBundle`).
///
/// The text must be UTF-8, as the loader requires of every file. Properties checked (a violation traps, which
/// libFuzzer reports as a crash): building the inventory never traps; it either fails with at least one error
/// diagnostic or yields a snapshot whose every machine has its boot config rendered in every format, and whose
/// lookups by MAC and IP find that machine.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzProfileFolder(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let text = String(validating: UnsafeBufferPointer(start: data, count: size), as: UTF8.self) else {
        return 0
    }
    let bundle = ProfileBundle(text)
    let collector = DiagnosticCollector()
    let inventory = InventoryBuilder.build(profiles: bundle.profiles, templates: bundle.templates,
                                           context: ProfileBundle.context(unknownMachines: bundle.unknownMachines),
                                           collector: collector)
    for diagnostic in collector.diagnostics { _ = diagnostic.description }
    guard let inventory else {
        precondition(collector.hasErrors, "no inventory, yet no error says why")
        return 0
    }
    precondition(!collector.hasErrors, "an inventory despite errors")
    for machine in inventory.machines {
        for mac in machine.macs {
            precondition(inventory.machine(for: mac)?.hostname == machine.hostname, "lookup by \(mac) failed")
            for format in BootConfigFormat.allCases {
                let config = inventory.bootConfig(for: mac, format: format)
                precondition(config.path == format.fileName(for: mac) && !config.contents.isEmpty,
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
    return 0
}
