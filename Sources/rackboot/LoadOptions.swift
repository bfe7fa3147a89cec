import Appliance
import ArgumentParser
import Inventory

/// The options every command takes to find its configuration and profiles.
struct LoadOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The configuration file. Relative paths inside it resolve against its folder.", valueName: "file"))
    var config: String = "/etc/rackboot/rackboot.yaml"

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The profile folder, instead of the configuration's 'profiles'.", valueName: "dir"))
    var profiles: String?

    var loader: ApplianceLoader {
        ApplianceLoader(configPath: config, profileDirectoryOverride: profiles)
    }
}

/// Writes diagnostics to standard error, one `file:line:column: severity: message` per problem.
enum DiagnosticPrinter {
    static func print(_ diagnostics: [Diagnostic]) {
        for diagnostic in diagnostics {
            StandardError.write(diagnostic.description + "\n")
        }
    }

    static func summary(_ diagnostics: [Diagnostic]) -> String {
        let errors = diagnostics.filter { $0.severity == .error }.count
        let warnings = diagnostics.count - errors
        return "\(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s")"
    }
}
