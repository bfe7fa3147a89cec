import Testing

@testable import Inventory

/// Every kind of problem is reported with its file, line and column, and none of them lets a set load.
@Suite struct InventoryDiagnosticsTests {
    func lines(
        _ files: [String: String], templates: [String: String]? = nil,
        policy: UnknownMachinePolicy = .localBoot, bootFiles: Set<String>? = nil
    ) -> [String] {
        var fixture = InventoryFixture()
        fixture.profiles = files
        if let templates { fixture.templates = templates }
        if let bootFiles { fixture.existingBootFiles = bootFiles }
        fixture.policy = policy
        return fixture.diagnosticLines()
    }

    @Test func yamlSyntax() {
        #expect(
            lines(["a": "hostname: a\nmacs: [52:54:00:00:00:01\n"]) == [
                "profiles/a.yaml:3:1: error: YAML syntax: did not find expected ',' or ']'"
            ])
    }

    @Test func unknownKeyWithSuggestion() {
        let result = lines(["a": profile("a", mac: "52:54:00:00:00:01", extra: "hostnmae: b\nfoo: 1")])
        #expect(
            result == [
                "profiles/a.yaml:6:1: error: unknown key 'hostnmae' in a machine profile; did you mean 'hostname'?",
                "profiles/a.yaml:7:1: error: unknown key 'foo' in a machine profile; expected one of: hostname, macs, "
                    + "ip, template, state, variables, loader",
            ])
    }

    @Test func malformedMACAndIPAndState() {
        let result = lines(["a": profile("a", mac: "52:54:00:zz:00:01", ip: "10.20.0.300", state: "reinstall")])
        #expect(
            result == [
                "profiles/a.yaml:2:8: error: '52:54:00:zz:00:01' is not a MAC address such as 52:54:00:12:34:56",
                "profiles/a.yaml:3:5: error: '10.20.0.300' is not an IPv4 address such as 10.20.0.11",
                "profiles/a.yaml:5:8: error: 'state' must be one of install, local, not 'reinstall'",
            ])
    }

    @Test func duplicatesAcrossFilesNameTheFirstFile() {
        var fixture = InventoryFixture()
        fixture.profiles = [
            "a": profile("node-a", mac: "52:54:00:00:00:01", ip: "10.20.0.10"),
            "b": profile("NODE-A", mac: "52:54:00:00:00:01", ip: "10.20.0.10"),
        ]
        let diagnostics = fixture.build().diagnostics
        #expect(
            diagnostics.map(\.description) == [
                "profiles/b.yaml:1:11: error: hostname 'NODE-A' is also used by profiles/a.yaml\n"
                    + "    profiles/a.yaml:1:11: note: first used here",
                "profiles/b.yaml:2:8: error: MAC 52:54:00:00:00:01 is also claimed by profiles/a.yaml\n"
                    + "    profiles/a.yaml:2:8: note: first claimed here",
                "profiles/b.yaml:3:5: error: IP 10.20.0.10 is also reserved by profiles/a.yaml\n"
                    + "    profiles/a.yaml:3:5: note: first reserved here",
            ])
        #expect(fixture.build().inventory == nil)
    }

    @Test func addressesMustFitTheSubnets() {
        let result = lines([
            "a": profile("a", mac: "52:54:00:00:00:01", ip: "10.99.0.7"),
            "b": profile("b", mac: "52:54:00:00:00:02", ip: "10.20.0.255"),
            "c": profile("c", mac: "52:54:00:00:00:03", ip: "10.20.0.1"),
            "d": profile("d", mac: "52:54:00:00:00:04", ip: "10.20.0.2"),
            "e": profile("e", mac: "52:54:00:00:00:05", ip: "10.20.0.150"),
        ])
        #expect(
            result == [
                "profiles/a.yaml:3:5: error: IP 10.99.0.7 is outside every configured subnet (10.20.0.0/24)",
                "profiles/b.yaml:3:5: error: IP 10.20.0.255 is the network or broadcast address of 10.20.0.0/24",
                "profiles/c.yaml:3:5: error: IP 10.20.0.1 is the router of 10.20.0.0/24",
                "profiles/d.yaml:3:5: error: IP 10.20.0.2 is the boot server's own address",
                "profiles/e.yaml:3:5: warning: IP 10.20.0.150 lies inside the dynamic pool 10.20.0.100-10.20.0.199; "
                    + "the pool will skip it, but a fixed address outside the pool is clearer",
            ])
    }

    @Test func missingTemplateAndUndefinedVariable() {
        let templates = ["os": "kernel: os/linux\ncmdline: a={{rack}} b={{ip}}"]
        let result = lines(
            [
                "a": profile("a", mac: "52:54:00:00:00:01", template: "centos7"),
                "b": profile("b", mac: "52:54:00:00:00:02"),
            ], templates: templates)
        #expect(
            result == [
                "profiles/a.yaml:4:11: error: template 'centos7' does not exist; known: os",
                "profiles/b.yaml:4:11: error: template 'os' uses {{ip}}, but this profile has no fixed 'ip'",
                "profiles/b.yaml:4:11: error: template 'os' uses {{rack}}, which this profile does not define; "
                    + "add 'rack' under 'variables'",
            ])
    }

    @Test func controlCharactersAndBootLoaderSyntaxCannotReachAConfig() {
        let result = lines([
            "a": profile("a", mac: "52:54:00:00:00:01", extra: "variables:\n  role: \"web\\nAPPEND init=/bin/sh\""),
            "b": profile("b", mac: "52:54:00:00:00:02", extra: "variables:\n  role: ${net0/ip}"),
            "c": "hostname: \"c\\u001b[2J\"\nmacs: [52:54:00:00:00:03]\nstate: local",
        ])
        #expect(
            result == [
                "profiles/a.yaml:7:9: error: variable 'role' contains a newline, which would break the generated boot files",
                "profiles/b.yaml:7:9: error: variable 'role' contains '${', which iPXE would expand as one of its settings",
                "profiles/c.yaml:1:11: error: 'hostname' contains the control character U+001B, which would break the "
                    + "generated boot files",
            ])
    }

    @Test func missingKernelIsAWarningThatStillLoads() {
        var fixture = InventoryFixture()
        fixture.existingBootFiles = ["os/linux"]
        fixture.profiles["a"] = profile("a", mac: "52:54:00:00:00:01")
        let (inventory, diagnostics) = fixture.build()
        #expect(inventory != nil)
        #expect(
            diagnostics.map(\.description) == [
                "profiles/templates/os.yaml:3:11: warning: initrd 'os/initrd' is not under tftproot/; machines using "
                    + "template 'os' cannot boot until it is"
            ])
        #expect(inventory?.warnings == diagnostics)
    }

    @Test func unknownMachineTemplateCannotUseMachineVariables() {
        let at = SourceLocation(file: "rackboot.yaml", line: 4, column: 13)
        let result = lines(
            [:], templates: ["rescue": "kernel: os/linux\ncmdline: host={{hostname}}"],
            policy: .template(Located("rescue", at: at)))
        #expect(
            result == [
                "rackboot.yaml:4:13: error: unknown machines boot template 'rescue', which uses {{hostname}}, which "
                    + "machines without a profile do not have; only {{server}}, {{template}} and the template's own "
                    + "variables can be used here"
            ])
    }

    @Test func overlongCommandLine() {
        let long = String(repeating: "x", count: 2100)
        let result = lines(["a": profile("a", mac: "52:54:00:00:00:01", extra: "variables:\n  role: \(long)")])
        #expect(result.count == 1)
        #expect(result.first?.hasPrefix("profiles/a.yaml:4:11: error: the kernel command line is ") == true)
    }

    @Test func templateProblems() {
        let result = lines(
            [:],
            templates: [
                "bad": "kernel: /abs/linux\ninitrds: [../x]\ncmdline: initrd=foo {{oops",
                "dup": "kernel: k\nvariables:\n  hostname: x",
            ], bootFiles: ["/abs/linux", "../x", "k"])
        #expect(
            result == [
                "profiles/templates/bad.yaml:1:9: error: '/abs/linux' starts with '/'; write it relative to the TFTP root",
                "profiles/templates/bad.yaml:2:11: error: '../x' has a '..' part",
                "profiles/templates/bad.yaml:3:10: error: cmdline names 'initrd='; list initrds under 'initrds' instead, "
                    + "which every boot loader then passes its own way",
                "profiles/templates/bad.yaml:3:10: error: cmdline: '{{' at character 12 has no closing '}}'",
                "profiles/templates/dup.yaml:3:3: error: 'hostname' is built in; a template cannot set it",
            ])
    }
}
