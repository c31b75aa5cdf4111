import FiscalMixCore
import FiscalMixSecrets
import Foundation

/// The keys that sign an endpoint's deliveries: its secret and, inside a rotation's overlap, the
/// previous one.
struct SigningKeys: Sendable {
    let secrets: OpenedSecrets

    func keys(for endpoint: WebhookEndpoint, now: Date) async throws -> [WebhookSignature.Key] {
        var refs: [UUID] = []
        if let id = endpoint.secretRefId { refs.append(id) }
        if let id = endpoint.previousSecretRefId, let until = endpoint.previousSecretExpiresAt, until > now { refs.append(id) }
        guard !refs.isEmpty else { throw JobFailure.doNotRetry(message: "the endpoint has no signing secret") }
        var keys: [WebhookSignature.Key] = []
        for ref in refs { keys.append(try WebhookSignature.key(try await secrets.secret(ref, accountId: endpoint.accountId))) }
        return keys
    }
}
