import ArgumentParser
import FiscalMixAPI
import FiscalMixApp
import FiscalMixDatabase
import FiscalMixFiscal

struct Verify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check every stored document's and event's file against the SHA-256 its row recorded.",
        discussion: "Prints each missing or changed file; exits 1 when there is any, 0 when all match.")

    func run() async throws {
        let configuration = try await loadConfiguration()
        let runtime = try await FiscalMixRuntime.start(configuration, logger: makeLogger(configuration))
        let report: StoredFileVerifier.Report
        do {
            report = try await StoredFileVerifier(database: runtime.database, blobs: runtime.services.blobs).verify()
        } catch {
            try? await runtime.database.shutdown()
            throw error
        }
        try await runtime.database.shutdown()
        for finding in report.findings { print(finding) }
        print("checked \(report.documentsChecked) documents and \(report.eventsChecked) events: \(report.findings.count) problem(s)")
        if !report.findings.isEmpty { throw ExitCode(1) }
    }
}
