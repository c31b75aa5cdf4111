public import FiscalMixCore
public import FiscalMixDatabase
public import FiscalMixSecrets
import Foundation

/// Re-wraps every data key under the current master key. Plaintext is never produced or
/// written: only the wrapped data key and its key id change. Each row is updated on its own
/// (conditional on the key it was read with), so an interrupted rotation resumes where it
/// stopped when run again, and two rotations at once do no harm.
public struct KeyRotation: Sendable {
    let repository: SealedSecretRepository
    let tokens: ConnectorTokenRepository
    let envelopes: EnvelopeService
    let sealedElsewhere: (any SealedOutsideVault)?
    let clock: any WallClock

    public init(
        database: Database, envelopes: EnvelopeService, sealedElsewhere: (any SealedOutsideVault)? = nil, clock: any WallClock = SystemWallClock()
    ) {
        repository = SealedSecretRepository(database: database)
        tokens = ConnectorTokenRepository(database: database)
        self.envelopes = envelopes
        self.sealedElsewhere = sealedElsewhere
        self.clock = clock
    }

    public struct Progress: Sendable, Equatable {
        public var rewrapped = 0
        public var remaining = 0
    }

    /// Runs until no secret (TOTP secrets, sealed secrets, then connector tokens) is wrapped by another key;
    /// `pause` spreads the load between batches.
    public func run(batchSize: Int = 100, pause: Duration = .zero, onBatch: @Sendable (Progress) -> Void = { _ in }) async throws -> Progress {
        var progress = Progress()
        let current = envelopes.keys.currentKeyId
        // TOTP secrets still sealed directly under a master key move into the vault first (new
        // envelopes, wrapped by the current key): after this nothing needs an old key.
        if let sealedElsewhere { progress.rewrapped += try await sealedElsewhere.upgradeAll(batchSize: batchSize) }
        try await rewrapAll(
            &progress, current: current, pause: pause, onBatch: onBatch,
            next: { try await repository.wrappedByOtherKeys(than: current, limit: batchSize) }
        ) { secret in
            try await repository.replaceWrap(
                id: secret.id, from: secret.envelope.kekId, to: try await envelopes.rewrap(secret.envelope), now: clock.now())
        }
        try await rewrapAll(
            &progress, current: current, pause: pause, onBatch: onBatch,
            next: { try await tokens.wrappedByOtherKeys(than: current, limit: batchSize) }
        ) { token in
            try await tokens.replaceWrap(token, to: try await envelopes.rewrap(token.envelope), now: clock.now())
        }
        progress.remaining = 0
        return progress
    }

    /// Re-wraps the batches `next` finds until it finds none; `rewrap` says whether its row changed.
    func rewrapAll<Row>(
        _ progress: inout Progress, current: String, pause: Duration, onBatch: @Sendable (Progress) -> Void,
        next: () async throws -> [Row], rewrap: (Row) async throws -> Bool
    ) async throws {
        while true {
            let batch = try await next()
            if batch.isEmpty { return }
            for row in batch where try await rewrap(row) { progress.rewrapped += 1 }
            progress.remaining = try await remaining(current)
            onBatch(progress)
            if pause > .zero { try await Task.sleep(for: pause) }
        }
    }

    func remaining(_ current: String) async throws -> Int {
        try await repository.count(wrappedByOtherKeysThan: current) + (try await tokens.count(wrappedByOtherKeysThan: current))
    }
}

/// Secrets a feature still holds sealed directly under a master key (not as vault envelopes): a
/// rotation moves them into the vault first, so that afterwards nothing needs an old key.
public protocol SealedOutsideVault: Sendable {
    /// Moves every such secret into the vault; returns how many moved.
    func upgradeAll(batchSize: Int) async throws -> Int
}
