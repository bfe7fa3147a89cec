/// Reads one machine profile file. Checks what one file can show on its own; cross-file checks (duplicates,
/// templates, subnets) belong to `InventoryBuilder`.
enum ProfileParser {
    /// The profile with every value that could be read, so cross-file checks still run on a partly broken file;
    /// `nil` only when the file is not a YAML mapping at all.
    static func parse(_ source: YAMLSource, into collector: DiagnosticCollector) -> MachineProfile? {
        guard
            let reader = MappingReader.document(
                source, describing: "a machine profile", allowedKeys: MachineProfile.keys,
                collector: collector)
        else { return nil }
        let hostname = reader.string("hostname", required: true)
        if let hostname, TextRules.firstControlCharacter(in: hostname.value) == nil,
            let problem = TextRules.hostnameProblem(hostname.value)
        {
            collector.error("hostname: \(problem)", at: hostname.location)
        }

        var macs: [Located<MACAddress>] = []
        if let items = reader.stringList("macs", required: true) {
            if items.isEmpty, let at = reader.locationOfKey("macs") {
                collector.error("'macs' lists no MAC address; a machine needs at least one", at: at)
            }
            for item in items {
                guard let mac = MACAddress(item.value) else {
                    collector.error("'\(item.value)' is not a MAC address such as 52:54:00:12:34:56", at: item.location)
                    continue
                }
                if mac.isMulticast || mac.isZero {
                    collector.error(
                        "'\(item.value)' is a \(mac.isZero ? "zero" : "multicast") address, "
                            + "which no network card uses as its own", at: item.location)
                    continue
                }
                if let first = macs.first(where: { $0.value == mac }) {
                    collector.error(
                        "MAC \(mac) is listed twice in this profile", at: item.location,
                        notes: [.init("first listed here", at: first.location)])
                    continue
                }
                macs.append(Located(mac, at: item.location))
            }
        }

        var ip: Located<IPv4Address>?
        if let text = reader.string("ip") {
            if let address = IPv4Address(text.value) {
                ip = Located(address, at: text.location)
            } else {
                collector.error("'\(text.value)' is not an IPv4 address such as 10.20.0.11", at: text.location)
            }
        }

        let stateText = reader.choice("state", among: NetbootState.allCases.map(\.rawValue), required: true)
        let state = stateText.flatMap { text in
            NetbootState(rawValue: text.value).map { Located($0, at: text.location) }
        }

        let template = reader.string("template", required: state?.value == .install)
        if let template, let problem = TextRules.identifierProblem(template.value, what: "template name") {
            collector.error(problem, at: template.location)
        }

        let variables = reader.stringMap("variables", what: "variable") ?? []

        var profile = MachineProfile(
            source: source, hostname: hostname, macs: macs, ip: ip, template: template,
            state: state, variables: variables)
        profile.loader = LoaderSpecParser.parse(reader, collector: collector)
        return profile
    }
}

extension ArraySlice where Element == Diagnostic {
    var containsErrors: Bool { contains { $0.severity == .error } }
}
