import Yams

/// What a template or profile writes under `loader:`: one family for every firmware (`loader: grub`), or a family
/// per firmware (`loader: {efi_x64: grub, bios: syslinux}`).
public enum LoaderSpec: Sendable, Hashable {
    /// Wherever the family has a build and `boot.loaders` names its file; other firmware keeps `boot.files`.
    case everywhere(Located<LoaderFamily>)
    /// Exactly these; each must be able to work (checked against the family and `boot.loaders`).
    case perFirmware([Located<Firmware>: Located<LoaderFamily>])
}

/// Reads `loader:` from a template or profile.
enum LoaderSpecParser {
    static func parse(_ reader: MappingReader, collector: DiagnosticCollector) -> Located<LoaderSpec>? {
        guard let node = reader.node("loader"), let at = reader.locationOfKey("loader") else { return nil }
        let families = LoaderFamily.allCases.map(\.rawValue)
        if case .scalar = node {
            guard let family = reader.choice("loader", among: families) else { return nil }
            return Located(.everywhere(Located(LoaderFamily(rawValue: family.value)!, at: family.location)), at: at)
        }
        guard
            let section = reader.mapping(
                "loader", describing: "'loader' (a family, or one per firmware)",
                allowedKeys: Firmware.allCases.map(\.rawValue))
        else { return nil }
        var choices: [Located<Firmware>: Located<LoaderFamily>] = [:]
        for firmware in Firmware.allCases {
            guard let family = section.choice(firmware.rawValue, among: families) else { continue }
            let firmwareAt = section.locationOfKey(firmware.rawValue) ?? family.location
            choices[Located(firmware, at: firmwareAt)] = Located(
                LoaderFamily(rawValue: family.value)!, at: family.location)
        }
        return Located(.perFirmware(choices), at: at)
    }
}
