/// A permission an API key may carry and a route may require.
/// Session users get scopes from their account role (see `AccountRole.scopes`).
public enum Scope: String, Sendable, Codable, CaseIterable, Hashable {
    case documentsRead = "documents:read"
    case documentsWrite = "documents:write"
    case companiesRead = "companies:read"
    case companiesWrite = "companies:write"
    case syncRun = "sync:run"
    case webhooksRead = "webhooks:read"
    case webhooksWrite = "webhooks:write"
    case connectorsRead = "connectors:read"
    case connectorsWrite = "connectors:write"
    case auditRead = "audit:read"
    case jobsRead = "jobs:read"
    case jobsWrite = "jobs:write"
    /// Everything inside the account, including users, keys and invites.
    case admin = "admin"
}

extension Set where Element == Scope {
    public func allows(_ scope: Scope) -> Bool { contains(.admin) || contains(scope) }
}
