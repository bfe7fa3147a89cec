/// Turns profile and template files into a validated `Inventory`, or into the complete list of what is wrong.
///
/// Every file is read and every check runs before deciding, so one pass shows every problem; any error means no
/// inventory at all (a broken set never half-loads, docs/protocol.md, "Whole-or-nothing reloads").
public enum InventoryBuilder {
    /// Variables every template may use without defining them.
    public static let builtinVariables =
        ["hostname", "mac", "ip", "server", "template"] + AnswerFileVariables.http + AnswerFileVariables.answerFileOnly

    /// x86 Linux keeps at most 2048 bytes of command line including the final NUL (`COMMAND_LINE_SIZE`); a longer
    /// one is cut silently by the kernel, so it is refused here.
    public static let maximumCommandLineLength = 2047

    /// Builds the snapshot; `nil` when `collector` received any error. Warnings travel in `Inventory.warnings` too.
    public static func build(
        profiles profileSources: [YAMLSource], templates templateSources: [YAMLSource],
        context: InventoryContext, collector: DiagnosticCollector
    ) -> Inventory? {
        let firstDiagnostic = collector.diagnostics.count
        let templates = parseTemplates(templateSources, context: context, collector: collector)
        let profiles = profileSources.sorted { $0.path < $1.path }.compactMap {
            ProfileParser.parse($0, into: collector)
        }
        var checks = ProfileChecks(templates: templates, context: context, collector: collector)
        checks.checkUniqueness(profiles)
        let plans = profiles.map { checks.check($0) }
        let unknownMachines = checks.checkUnknownMachinePolicy()

        let diagnostics = collector.diagnostics[firstDiagnostic...]
        guard !diagnostics.containsErrors, let unknownMachines else { return nil }
        var inventory = assemble(
            profiles: profiles, plans: plans, loaders: checks.loaderChoices, unknownMachines: unknownMachines,
            templateNames: templates.parsed.keys.sorted(), policy: context.unknownMachinePolicy,
            warnings: Array(diagnostics))
        inventory.answerFileSubnets = context.subnets.map {
            AnswerFileSubnet(network: $0.network, router: $0.router, dnsServers: $0.dnsServers, domain: $0.domain)
        }
        return inventory
    }

    /// The parsed templates by name, and the names of every template file (parsed or not), so that a profile naming
    /// a broken template is not also told that the template is missing.
    struct Templates {
        var parsed: [String: BootTemplate] = [:]
        var files: [String: String] = [:]
    }

    private static func parseTemplates(
        _ sources: [YAMLSource], context: InventoryContext,
        collector: DiagnosticCollector
    ) -> Templates {
        var templates = Templates()
        for source in sources.sorted(by: { $0.path < $1.path }) {
            if let other = templates.files[source.stem] {
                collector.error(
                    "a second file for template '\(source.stem)'", at: .startOf(source.path),
                    notes: [.init("the first", at: .startOf(other))])
                continue
            }
            templates.files[source.stem] = source.path
            guard let template = TemplateParser.parse(source, readFile: context.readTemplateFile, into: collector)
            else { continue }
            if context.httpPort == nil, let first = template.files.first {
                collector.error(
                    "template '\(template.name)' has answer files, which are served over HTTP, but the HTTP service "
                        + "is off; add an 'http:' section to the configuration", at: first.reference.location)
            }
            for variable in template.defaults where builtinVariables.contains(variable.name.value) {
                collector.error(
                    "'\(variable.name.value)' is built in; a template cannot set it", at: variable.name.location)
            }
            let files = [("kernel", template.kernel)] + template.initrds.map { ("initrd", $0) }
            for (kind, path) in files where !context.bootFileExists(path.value) {
                collector.warning(
                    "\(kind) '\(path.value)' is not under \(context.bootFileRootDescription); machines "
                        + "using template '\(template.name)' cannot boot until it is", at: path.location)
            }
            templates.parsed[template.name] = template
        }
        return templates
    }

    private static func assemble(
        profiles: [MachineProfile], plans: [BootPlan?], loaders: [String: LoaderChoice], unknownMachines: BootPlan,
        templateNames: [String], policy: UnknownMachinePolicy,
        warnings: [Diagnostic]
    ) -> Inventory {
        var files: [String: [UInt8]] = [:]
        var localBootFiles: [String: [UInt8]] = [:]
        var answerFiles: [String: MachineAnswerFiles] = [:]
        var machines: [Machine] = []
        for (profile, plan) in zip(profiles, plans) {
            guard let hostname = profile.hostname?.value, let state = profile.state?.value, let plan else { continue }
            var machine = Machine(
                hostname: hostname, macs: profile.macs.map(\.value), ip: profile.ip?.value,
                templateName: profile.template?.value, state: state,
                variables: Dictionary(profile.variables.map { ($0.name.value, $0.value.value) }) { first, _ in first },
                profileFile: profile.source.fileName)
            machine.loaders = loaders[profile.source.path] ?? .default
            machines.append(machine)
            if case .linux(let template, let values) = plan.kind, state == .install, !template.files.isEmpty {
                answerFiles[hostname.lowercased()] = MachineAnswerFiles(
                    hostname: hostname, macs: machine.macs, fixedIP: machine.ip, values: values,
                    files: Dictionary(template.files.map { ($0.name.value, $0.text) }) { first, _ in first })
            }
            for (index, mac) in machine.macs.enumerated() {
                let comment =
                    "Rendered by Rackboot for \(hostname) (\(mac)) from \(machine.profileFile), "
                    + (state == .local ? "state local" : "template \(machine.templateName ?? "")")
                    + "; edit the profile, not this file."
                let installedComment =
                    "Rendered by Rackboot for \(hostname) (\(mac)) from \(machine.profileFile), installed: "
                    + "boots its disk until `rackboot reinstall \(hostname)`."
                for format in BootConfigFormat.allCases {
                    let text = Array(format.render(plan.entry(for: mac), comment: comment).utf8)
                    // What the machine gets once its install called back (state install, lifecycle installed).
                    let installed =
                        state == .install ? Array(format.render(.localDisk, comment: installedComment).utf8) : nil
                    var names = [format.fileName(for: mac)]
                    // The hex-IP name is a fallback lookup; it carries the config of the first MAC listed.
                    if index == 0, let ip = machine.ip, let ipName = format.fileName(for: ip) { names.append(ipName) }
                    for name in names {
                        files[name] = text
                        localBootFiles[name] = installed
                    }
                }
            }
        }
        let policyText: String
        switch policy {
        case .localBoot: policyText = "local boot"
        case .template(let name): policyText = "template \(name.value)"
        }
        let unknownMachineBoot = unknownMachines.entry(for: nil)
        for format in BootConfigFormat.allCases {
            let comment = "Rendered by Rackboot for machines without a profile (unknown_machines: \(policyText))."
            files[format.fallbackFileName] = Array(format.renderFallback(unknownMachineBoot, comment: comment).utf8)
        }
        var inventory = Inventory(
            machines: machines.sorted { $0.hostname < $1.hostname }, templateNames: templateNames,
            unknownMachineBoot: unknownMachineBoot, renderedFiles: files, warnings: warnings)
        inventory.installedBootFiles = localBootFiles
        inventory.answerFiles = answerFiles
        return inventory
    }

    static func emptyInventory() -> Inventory {
        let collector = DiagnosticCollector()
        let context = InventoryContext(
            subnets: [], defaultServer: IPv4Address(rawValue: 0),
            bootFileRootDescription: "", bootFileExists: { _ in true })
        return build(profiles: [], templates: [], context: context, collector: collector)!
    }
}
