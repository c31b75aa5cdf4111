import ArgumentParser
import FiscalMixApp
import FiscalMixDatabase
import FiscalMixSecrets
import FiscalMixVault

struct Keys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Master-key operations.", subcommands: [Rotate.self])

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-wrap every secret's data key under FISCALMIX_MASTER_KEY.",
            discussion: """
                Set FISCALMIX_MASTER_KEY to the new key and FISCALMIX_PREVIOUS_MASTER_KEYS to the old one(s). Only \
                wrapped data keys change; no plaintext is written. Safe to interrupt and run again: it resumes. \
                Servers keep working throughout if they are started with both variables too.
                """)

        @Option(help: "Secrets re-wrapped per batch.") var batchSize = 100
        @Option(help: "Milliseconds to wait between batches, to spread the load.") var pauseMs = 0

        func run() async throws {
            let configuration = try await loadConfiguration()
            let runtime = try await FiscalMixRuntime.start(configuration, logger: makeLogger(configuration))
            do {
                let result = try await runtime.keyRotation.run(batchSize: max(1, batchSize), pause: .milliseconds(max(0, pauseMs))) { progress in
                    print("re-wrapped \(progress.rewrapped), \(progress.remaining) left")
                }
                print("done: \(result.rewrapped) secrets re-wrapped under key \(runtime.envelopes.keys.currentKeyId)")
                try await runtime.database.shutdown()
            } catch {
                try? await runtime.database.shutdown()
                throw error
            }
        }
    }
}
