/// A user's role inside their account (tenant).
public enum AccountRole: String, Sendable, Codable, CaseIterable {
    case owner, admin, member

    /// The scopes a signed-in user with this role holds.
    public var scopes: Set<Scope> {
        switch self {
        case .owner, .admin: return [.admin]
        case .member: return [.documentsRead, .companiesRead, .syncRun, .webhooksRead, .connectorsRead]
        }
    }

    public var canManageAccount: Bool { self != .member }
}

/// A user's role on one company (docs/data-model.md company_user_permissions).
public enum CompanyRole: String, Sendable, Codable, CaseIterable, Comparable {
    case viewer, `operator`, admin

    private var rank: Int {
        switch self {
        case .viewer: 0;
        case .operator: 1;
        case .admin: 2
        }
    }
    public static func < (lhs: CompanyRole, rhs: CompanyRole) -> Bool { lhs.rank < rhs.rank }
}
