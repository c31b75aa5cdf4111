import FiscalMixCore
import FiscalMixSecrets
import FiscalMixStorage
import Foundation

/// Re-wraps every data key under the current master key. Plaintext is never produced or
/// written: only the wrapped data key and its key id change. Each row is updated on its own
/// (conditional on the key it was read with), so an interrupted rotation resumes where it
/// stopped when run again, and two rotations at once do no harm.
public struct KeyRotation: Sendable {
    let repository: SealedSecretRepository
    let envelopes: EnvelopeService
    let clock: any WallClock

    public init(database: Database, envelopes: EnvelopeService, clock: any WallClock = SystemWallClock()) {
        repository = SealedSecretRepository(database: database)
        self.envelopes = envelopes
        self.clock = clock
    }

    public struct Progress: Sendable, Equatable {
        public var rewrapped = 0
        public var remaining = 0
    }

    /// Runs until no secret is wrapped by another key; `pause` spreads the load between batches.
    public func run(batchSize: Int = 100, pause: Duration = .zero, onBatch: @Sendable (Progress) -> Void = { _ in }) async throws -> Progress {
        var progress = Progress()
        let current = envelopes.keys.currentKeyId
        while true {
            let batch = try await repository.wrappedByOtherKeys(than: current, limit: batchSize)
            if batch.isEmpty { break }
            for secret in batch {
                let rewrapped = try await envelopes.rewrap(secret.envelope)
                if try await repository.replaceWrap(id: secret.id, from: secret.envelope.kekId, to: rewrapped, now: clock.now()) {
                    progress.rewrapped += 1
                }
            }
            progress.remaining = try await repository.count(wrappedByOtherKeysThan: current)
            onBatch(progress)
            if pause > .zero { try await Task.sleep(for: pause) }
        }
        progress.remaining = 0
        return progress
    }
}
