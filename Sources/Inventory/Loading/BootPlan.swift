/// What a machine boots, with every variable resolved except `{{mac}}`, which differs per NIC.
struct BootPlan {
    enum Kind {
        case localDisk
        case linux(BootTemplate, values: [String: String])
    }

    var kind: Kind
    var title: String

    static let localDisk = BootPlan(kind: .localDisk, title: "local disk")

    /// The entry for the NIC `mac` (`nil` for the shared unknown-machine files, which cannot use `{{mac}}`).
    func entry(for mac: MACAddress?) -> BootEntry {
        switch kind {
        case .localDisk:
            return .localDisk
        case .linux(let template, var values):
            if let mac { values["mac"] = mac.description }
            return .linux(
                LinuxBoot(
                    title: title, kernel: template.kernel.value, initrds: template.initrds.map(\.value),
                    commandLine: template.commandLine?.value.expand(values) ?? ""))
        }
    }
}
