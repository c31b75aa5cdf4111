import ArgumentParser
import FiscalMixAPI
import FiscalMixApp
import FiscalMixCore
import FiscalMixDatabase
import Hummingbird
import Logging
import ServiceLifecycle

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the HTTP API and background work (the default command).")

    @Option(help: "Listen address (overrides FISCALMIX_HOST).") var host: String?
    @Option(help: "Listen port (overrides FISCALMIX_PORT).") var port: Int?
    @Flag(help: "Serve the API only; run no job workers.") var noWorkers = false

    func run() async throws {
        var configuration = try await loadConfiguration()
        if let host { configuration.host = host }
        if let port { configuration.port = port }
        let logger = makeLogger(configuration)
        let runtime = try await FiscalMixRuntime.start(configuration, logger: logger)
        logger.info("FiscalMix \(FiscalMixVersion.current) on \(runtime.database.dialect.rawValue)")
        if !noWorkers { await runtime.enqueueHousekeeping() }
        try await runtime.serveServiceGroup(workers: !noWorkers).run()
    }
}

struct Worker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run job workers only (no HTTP); stops gracefully on SIGTERM.")

    func run() async throws {
        let configuration = try await loadConfiguration()
        let logger = makeLogger(configuration)
        let runtime = try await FiscalMixRuntime.start(configuration, logger: logger)
        logger.info(
            "FiscalMix \(FiscalMixVersion.current) workers on \(runtime.database.dialect.rawValue)",
            metadata: ["queues": "\(configuration.workerQueues.joined(separator: ","))"])
        await runtime.enqueueHousekeeping()
        try await runtime.workerServiceGroup().run()
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply database migrations and exit.")

    func run() async throws {
        var configuration = try await loadConfiguration()
        configuration.runMigrationsOnStart = true
        let runtime = try await FiscalMixRuntime.start(configuration, logger: makeLogger(configuration))
        let versions = try await runtime.appliedVersions()
        print("schema at version \(versions.last ?? 0) (\(versions.count) migrations applied)")
        try await runtime.database.shutdown()
    }
}

struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the version.")
    func run() { print("fiscalmix \(FiscalMixVersion.current)") }
}

/// Configuration errors are the user's to fix: print them plainly, exit non-zero.
func loadConfiguration() async throws -> AppConfiguration {
    do {
        return try await AppConfiguration.load()
    } catch let error as AppConfiguration.Invalid {
        throw ValidationError(error.description)
    }
}

struct Config: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the configuration and print every setting that is set (secrets redacted).")

    func run() async throws {
        do {
            print(try await ConfigurationReport.load().text, terminator: "")
        } catch let error as AppConfiguration.Invalid {
            throw ValidationError(error.description)
        }
    }
}
