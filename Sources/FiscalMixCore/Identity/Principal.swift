public import Foundation

/// Who is making a request, after authentication.
public struct Principal: Sendable {
    public enum Kind: Sendable, Equatable {
        case session(sessionId: UUID)
        case apiKey(keyId: UUID)
    }

    public let kind: Kind
    public let accountId: UUID
    /// The user behind a session, or the user who created the API key.
    public let userId: UUID?
    public let role: AccountRole?
    public let isStaff: Bool
    public let scopes: Set<Scope>

    public init(kind: Kind, accountId: UUID, userId: UUID?, role: AccountRole?, isStaff: Bool, scopes: Set<Scope>) {
        self.kind = kind
        self.accountId = accountId
        self.userId = userId
        self.role = role
        self.isStaff = isStaff
        self.scopes = scopes
    }

    public func require(_ scope: Scope) throws(FiscalMixError) {
        guard scopes.allows(scope) else { throw .missingScope(scope) }
    }

    public var actorType: String {
        switch kind {
        case .session: "user";
        case .apiKey: "api_key"
        }
    }

    public var actorId: String {
        switch kind {
        case .session: userId?.lowercased ?? ""
        case .apiKey(let keyId): keyId.lowercased
        }
    }

    public var apiKeyId: UUID? {
        if case .apiKey(let id) = kind { return id }
        return nil
    }

    public var sessionId: UUID? {
        if case .session(let id) = kind { return id }
        return nil
    }
}
