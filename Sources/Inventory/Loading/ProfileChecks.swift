/// The checks that need more than one file: duplicates across profiles, addresses against the configured subnets,
/// template references and their variables, and the unknown-machine policy.
struct ProfileChecks {
    let templates: InventoryBuilder.Templates
    let context: InventoryContext
    let collector: DiagnosticCollector
    /// Each checked profile's loader families, by profile path.
    private(set) var loaderChoices: [String: LoaderChoice] = [:]

    /// Each MAC, fixed IP and host name belongs to one profile; the later file is reported, the first one noted.
    func checkUniqueness(_ profiles: [MachineProfile]) {
        var macOwners: [MACAddress: SourceLocation] = [:]
        var ipOwners: [IPv4Address: SourceLocation] = [:]
        var hostnameOwners: [String: SourceLocation] = [:]
        for profile in profiles {
            for mac in profile.macs {
                claim(mac.value, at: mac.location, in: &macOwners, what: "MAC \(mac.value)", verb: "claimed")
            }
            if let ip = profile.ip {
                claim(ip.value, at: ip.location, in: &ipOwners, what: "IP \(ip.value)", verb: "reserved")
            }
            if let hostname = profile.hostname {
                claim(
                    hostname.value.lowercased(), at: hostname.location, in: &hostnameOwners,
                    what: "hostname '\(hostname.value)'", verb: "used")
            }
        }
    }

    /// Records the first owner of `key`, or reports a second one.
    private func claim<Key: Hashable>(
        _ key: Key, at location: SourceLocation, in owners: inout [Key: SourceLocation],
        what: String, verb: String
    ) {
        guard let first = owners[key] else {
            owners[key] = location
            return
        }
        collector.error(
            "\(what) is also \(verb) by \(first.file)", at: location,
            notes: [.init("first \(verb) here", at: first)])
    }

    /// Checks one profile against the configuration and its template; returns its boot plan when it is whole.
    mutating func check(_ profile: MachineProfile) -> BootPlan? {
        let server = checkAddress(profile)
        var valuesAreSafe = true
        for variable in profile.variables {
            if InventoryBuilder.builtinVariables.contains(variable.name.value) {
                collector.error(
                    "'\(variable.name.value)' is built in; it cannot be set as a variable",
                    at: variable.name.location)
            }
            if let problem = TextRules.commandLineProblem(variable.value.value) {
                valuesAreSafe = false
                collector.error("variable '\(variable.name.value)' \(problem)", at: variable.value.location)
            }
        }
        guard let state = profile.state?.value, let hostname = profile.hostname?.value else { return nil }
        guard let reference = profile.template else {
            loaderChoices[profile.source.path] = resolveLoaders(profile.loader)
            return state == .local ? .localDisk : nil
        }
        guard let template = existingTemplate(reference) else { return nil }
        loaderChoices[profile.source.path] = resolveLoaders(profile.loader ?? template.loader)

        var values: [String: String] = Dictionary(template.defaults.map { ($0.name.value, $0.value.value) }) { a, _ in a
        }
        for variable in profile.variables { values[variable.name.value] = variable.value.value }
        values["hostname"] = hostname
        values["template"] = template.name
        values["server"] = server.description
        if let ip = profile.ip { values["ip"] = ip.value.description }
        values["mac"] = profile.macs.first?.value.description
        if let port = context.httpPort {
            let base = ServiceURL.base(server: server, port: port)
            values["http"] = base
            values["files_url"] = ServiceURL.files(base: base, hostname: hostname)
        }

        let used = Set((template.commandLine?.value.variableNames ?? []) + template.files.flatMap(\.text.variableNames))
        for variable in profile.variables
        where !used.contains(variable.name.value)
            && !InventoryBuilder.builtinVariables.contains(variable.name.value)
        {
            collector.warning(
                "variable '\(variable.name.value)' is not used by template '\(template.name)'",
                at: variable.name.location)
        }
        var complete = true
        for name in template.commandLine?.value.variableNames ?? [] where values[name] == nil {
            complete = false
            let why = Self.missingVariableReason(name)
            collector.error(
                "template '\(template.name)' uses {{\(name)}}, \(why)", at: reference.location,
                notes: template.commandLine.map { [.init("used here", at: $0.location)] } ?? [])
        }
        if state == .install { complete = checkAnswerFiles(of: template, values: values, profile: profile) && complete }
        guard complete else { return nil }
        let description = template.description?.value ?? template.name
        let plan = BootPlan(kind: .linux(template, values: values), title: "\(hostname): \(description)")
        guard state == .install else { return .localDisk }
        for mac in profile.macs where valuesAreSafe {
            checkCommandLine(plan.entry(for: mac.value), at: reference.location)
        }
        return plan
    }

    /// The loader family per firmware that `spec` asks for, reporting a choice that cannot work: a family with no
    /// build for that firmware (syslinux on ARM64), or one `boot.loaders` names no file for.
    private func resolveLoaders(_ spec: Located<LoaderSpec>?) -> LoaderChoice {
        guard let spec else { return .default }
        var choice = LoaderChoice()
        switch spec.value {
        case .everywhere(let family):
            for firmware in family.value.firmware
            where context.configuredLoaders[family.value]?.contains(firmware) == true {
                choice.families[firmware] = family.value
            }
            if choice.families.isEmpty {
                collector.warning(
                    "loader '\(family.value.rawValue)' has no file under boot.loaders.\(family.value.rawValue) in the "
                        + "configuration; these machines boot what boot.files names", at: family.location)
            }
        case .perFirmware(let families):
            for (firmware, family) in families.sorted(by: { $0.key.value < $1.key.value }) {
                if !family.value.firmware.contains(firmware.value) {
                    let others = LoaderFamily.allCases.filter { $0.firmware.contains(firmware.value) }
                    collector.error(
                        "\(family.value.rawValue) has no build for \(firmware.value.rawValue) firmware; use "
                            + others.map(\.rawValue).joined(separator: " or "), at: family.location)
                } else if context.configuredLoaders[family.value]?.contains(firmware.value) != true {
                    collector.error(
                        "boot.loaders.\(family.value.rawValue) in the configuration names no \(firmware.value.rawValue) "
                            + "file, so \(firmware.value.rawValue) machines cannot boot \(family.value.rawValue)",
                        at: family.location)
                } else {
                    choice.families[firmware.value] = family.value
                }
            }
        }
        return choice
    }

    /// Why a command line cannot use `name` for this profile.
    private static func missingVariableReason(_ name: String) -> String {
        if name == "ip" { return "but this profile has no fixed 'ip'" }
        if AnswerFileVariables.http.contains(name) {
            return "which needs the HTTP service; add an 'http:' section to the configuration"
        }
        if AnswerFileVariables.answerFileOnly.contains(name) {
            return "which only answer files can use (it is known when the machine asks for one)"
        }
        return "which this profile does not define; add '\(name)' under 'variables'"
    }

    /// Every placeholder of every answer file must be filled for this machine; a missing one is reported at the
    /// line of the answer file that uses it.
    private func checkAnswerFiles(
        of template: BootTemplate, values: [String: String], profile: MachineProfile
    ) -> Bool {
        let requestTime = Set(AnswerFileVariables.answerFileOnly + ["ip", "mac"])
        var complete = true
        for file in template.files {
            for name in file.text.variableNames where values[name] == nil && !requestTime.contains(name) {
                complete = false
                let why =
                    AnswerFileVariables.http.contains(name)
                    ? "which needs the HTTP service; add an 'http:' section to the configuration"
                    : "which machine '\(profile.hostname?.value ?? "")' does not define; add '\(name)' under "
                        + "'variables' in its profile or the template"
                collector.error(
                    "answer file '\(file.name.value)' uses {{\(name)}}, \(why)",
                    at: SourceLocation(file: file.sourcePath, line: file.firstUse[name] ?? 1, column: 1),
                    notes: [
                        .init(
                            "machine '\(profile.hostname?.value ?? "")' uses it here",
                            at: profile.template?.location ?? .startOf(profile.source.path))
                    ])
            }
        }
        return complete
    }

    /// What machines without a profile boot; `nil` when the configured template cannot serve them.
    func checkUnknownMachinePolicy() -> BootPlan? {
        guard case .template(let reference) = context.unknownMachinePolicy else { return .localDisk }
        guard let template = existingTemplate(reference) else { return nil }
        var values = Dictionary(template.defaults.map { ($0.name.value, $0.value.value) }) { a, _ in a }
        values["server"] = context.defaultServer.description
        values["template"] = template.name
        if let port = context.httpPort {
            values["http"] = ServiceURL.base(server: context.defaultServer, port: port)
        }
        var complete = true
        for name in template.commandLine?.value.variableNames ?? [] where values[name] == nil {
            complete = false
            let why =
                ["hostname", "mac", "ip"].contains(name)
                ? "which machines without a profile do not have; only {{server}}, {{template}} and the template's "
                    + "own variables can be used here"
                : "which the template does not define under 'variables'"
            collector.error(
                "unknown machines boot template '\(template.name)', which uses {{\(name)}}, \(why)",
                at: reference.location,
                notes: template.commandLine.map { [.init("used here", at: $0.location)] } ?? [])
        }
        guard complete else { return nil }
        let plan = BootPlan(
            kind: .linux(template, values: values),
            title: "unknown machine: " + (template.description?.value ?? template.name))
        checkCommandLine(plan.entry(for: nil), at: reference.location)
        return plan
    }

    /// Reports a reference to a template that has no file; `nil` also when the file exists but is broken (already
    /// reported there).
    private func existingTemplate(_ reference: Located<String>) -> BootTemplate? {
        guard templates.files[reference.value] != nil else {
            let known = templates.files.keys.sorted()
            collector.error(
                "template '\(reference.value)' does not exist; "
                    + (known.isEmpty ? "there are no templates" : "known: " + known.joined(separator: ", ")),
                at: reference.location)
            return nil
        }
        return templates.parsed[reference.value]
    }

    /// Checks the fixed address against the subnets; returns the `{{server}}` this machine boots from.
    private func checkAddress(_ profile: MachineProfile) -> IPv4Address {
        guard let ip = profile.ip, context.subnetsAreKnown else { return context.defaultServer }
        guard let subnet = context.subnet(containing: ip.value) else {
            let subnets = context.subnets.map(\.network.description)
            collector.error(
                "IP \(ip.value) is outside every configured subnet ("
                    + (subnets.isEmpty ? "none is configured" : subnets.joined(separator: ", ")) + ")",
                at: ip.location)
            return context.defaultServer
        }
        let note = [Diagnostic.Note("subnet \(subnet.network) is configured here", at: subnet.location)]
        if !subnet.network.isUsableHost(ip.value) {
            collector.error(
                "IP \(ip.value) is the network or broadcast address of \(subnet.network)",
                at: ip.location, notes: note)
        } else if ip.value == subnet.router {
            collector.error("IP \(ip.value) is the router of \(subnet.network)", at: ip.location, notes: note)
        } else if ip.value == subnet.nextServer {
            collector.error("IP \(ip.value) is the boot server's own address", at: ip.location, notes: note)
        } else if let pool = subnet.pools.first(where: { $0.contains(ip.value) }) {
            collector.warning(
                "IP \(ip.value) lies inside the dynamic pool \(pool); the pool will skip it, but a "
                    + "fixed address outside the pool is clearer", at: ip.location, notes: note)
        }
        return subnet.nextServer
    }

    /// Checks the expanded line as a whole (pieces that are safe alone can join into `${`), and its length as the
    /// longest boot loader passes it: syslinux prepends `BOOT_IMAGE=<kernel>` and appends `initrd=<list>`.
    private func checkCommandLine(_ entry: BootEntry, at location: SourceLocation) {
        guard case .linux(let boot) = entry else { return }
        if let problem = TextRules.commandLineProblem(boot.commandLine) {
            collector.error("the expanded kernel command line \(problem)", at: location)
        }
        let initrdArgument = boot.initrds.isEmpty ? "" : " initrd=" + boot.initrds.joined(separator: ",")
        let length = "BOOT_IMAGE=\(boot.kernel) \(boot.commandLine)\(initrdArgument)".utf8.count
        if length > InventoryBuilder.maximumCommandLineLength {
            collector.error(
                "the kernel command line is \(length) bytes as pxelinux passes it; Linux and syslinux "
                    + "accept at most \(InventoryBuilder.maximumCommandLineLength)", at: location)
        }
    }
}
