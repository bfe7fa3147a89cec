import Appliance
import ArgumentParser
import Foundation
import Inventory
import Logging
import Systemd

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the appliance: the DHCP and TFTP servers over one inventory.",
        discussion: """
            Loads and validates the configuration and the profiles first and refuses to start on any error. \
            SIGTERM or SIGINT stop it gracefully. DHCP serves the interfaces named by the configuration's subnets; \
            with none, only TFTP runs (beside your network's DHCP server, next-server pointing here).
            """
    )

    @OptionGroup var load: LoadOptions

    @Option(
        name: .long, help: "Log level: trace, debug, info, notice, warning, error or critical.",
        transform: { text in
            guard let level = Logger.Level(rawValue: text) else {
                throw ValidationError(
                    "'\(text)' is not a log level: trace, debug, info, notice, warning, error or critical")
            }
            return level
        })
    var logLevel: Logger.Level = .info

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Where logs go: journal (native entries with MAC=, IP=, FILE= fields), console (stderr), or auto: "
                + "the journal when systemd started the service ($JOURNAL_STREAM or $NOTIFY_SOCKET set).",
            valueName: "auto|journal|console"))
    var log: LogDestination = .auto

    func run() async throws {
        let outcome = load.loader.load()
        DiagnosticPrinter.print(outcome.diagnostics)
        guard let inventory = outcome.inventory, let config = outcome.config, outcome.succeeded else {
            StandardError.write("rackboot: not serving: \(DiagnosticPrinter.summary(outcome.diagnostics))\n")
            throw ExitCode(1)
        }
        let level = logLevel
        let environment = ProcessInfo.processInfo.environment
        let toJournal =
            log == .journal
            || (log == .auto && (environment["JOURNAL_STREAM"] != nil || environment["NOTIFY_SOCKET"] != nil))
        // Entries are written on a thread of their own (BackgroundLogWriter says why), flushed before exit.
        let writer = BackgroundLogWriter()
        defer { writer.flush() }
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler =
                toJournal ? JournalLogHandler(label: label) : StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return BackgroundLogHandler(handler, writer: writer)
        }
        let logger = Logger(label: "rackboot")
        logger.info(
            "inventory loaded",
            metadata: [
                "machines": "\(inventory.machines.count)", "rendered_files": "\(inventory.renderedFiles.count)",
            ])
        try await ApplianceServer(
            loader: load.loader, config: config, inventory: SharedInventory(inventory),
            logger: logger
        ).run()
    }
}

enum LogDestination: String, ExpressibleByArgument {
    case auto, journal, console
}
