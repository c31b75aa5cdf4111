import ArgumentParser
import FiscalMixApp

@main
struct FiscalMixCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fiscalmix",
        abstract: "FiscalMix: fiscal-document hub and integration platform.",
        version: FiscalMixVersion.current,
        subcommands: [Serve.self, Worker.self, Migrate.self, Admin.self, Keys.self, Config.self, Verify.self, SefazSim.self, Version.self, InspectPKCS12.self],
        defaultSubcommand: Serve.self
    )
}

enum FiscalMixVersion {
    static let current = "0.1.0"
}
