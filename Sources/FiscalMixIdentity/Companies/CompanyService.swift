public import FiscalMixCore
public import FiscalMixDatabase
public import Foundation

/// Companies and the per-company roles (docs/data-model.md company_user_permissions) checked on every
/// company-scoped route.
public struct CompanyService: Sendable {
    let database: Database
    let companies: CompanyRepository
    let users: UserRepository
    let audit: AuditTrail
    let clock: any WallClock

    public init(database: Database, auth: AuthService) {
        self.database = database
        companies = CompanyRepository(database: database)
        users = auth.users
        audit = auth.audit
        clock = auth.clock
    }

    /// A company by id for work that runs without a caller (jobs); nil for another account's id.
    public func company(id: UUID, accountId: UUID) async throws -> Company? {
        try await companies.find(id: id, accountId: accountId)
    }

    /// The companies a user holds a role on (what an account member may see).
    public func companyIds(visibleTo userId: UUID?) async throws -> [UUID] {
        guard let userId else { return [] }
        return try await companies.companyIds(withMember: userId)
    }

    /// The active companies among `ids`, of every account (the scheduler's view).
    public func activeCompanies(ids: [UUID]) async throws -> [Company] {
        try await companies.active(ids: ids)
    }

    public struct NewCompany: Sendable, Codable {
        public var cnpj: String
        public var razaoSocial: String
        public var nomeFantasia: String?
        public var ie: String?
        public var uf: String
        public var municipio: String?
        public var tags: [String]?
    }

    public func create(_ principal: Principal, _ input: NewCompany, meta: RequestMeta) async throws -> Company {
        try principal.require(.companiesWrite)
        if principal.role == .member { throw IdentityError(.forbidden, .insufficientRole, "Only account admins create companies.") }
        let cnpj = try CNPJ(input.cnpj)
        let razao = input.razaoSocial.trimmingWhitespace()
        guard (2...255).contains(razao.count) else { throw FiscalMixError.validation("razaoSocial", "Razão social must have 2 to 255 characters.") }
        guard let uf = UF(rawValue: input.uf.uppercased()) else { throw FiscalMixError.validation("uf", "Unknown UF '\(input.uf)'.") }
        for (field, value, limit) in [("nomeFantasia", input.nomeFantasia, 255), ("ie", input.ie, 50), ("municipio", input.municipio, 100)] {
            if let value, value.trimmingWhitespace().count > limit {
                throw FiscalMixError.validation(field, "\(field) must have at most \(limit) characters.")
            }
        }
        let tags = input.tags ?? []
        guard tags.count <= 50, tags.allSatisfy({ (1...64).contains($0.count) }) else {
            throw FiscalMixError.validation("tags", "At most 50 tags of 1 to 64 characters.")
        }
        let now = clock.now()
        let company = Company(
            id: ID.make(now: now), accountId: principal.accountId, cnpj: cnpj.value, razaoSocial: razao,
            nomeFantasia: input.nomeFantasia?.trimmingWhitespace(), ie: input.ie?.trimmingWhitespace(), uf: uf,
            municipio: input.municipio?.trimmingWhitespace(), tags: tags, status: .active, createdAt: now, updatedAt: now)
        let entry = audit.entry(
            "company.created", by: principal, entityType: "company", entityId: company.id.lowercased,
            metadata: ["cnpj": cnpj.value], meta: meta)
        do {
            try await database.transaction { [companies, audit] tx in
                try await companies.insert(company, in: tx)
                try await audit.repository.insert(entry, in: tx)
            }
        } catch  where database.isUniqueViolation(error) {
            throw IdentityError(.conflict, .companyExists, "This account already has a company with CNPJ \(cnpj.value).")
        }
        return company
    }

    public func list(_ principal: Principal, page: PageRequest) async throws -> Page<Company> {
        try principal.require(.companiesRead)
        let restrictTo = principal.role == .member ? principal.userId : nil
        return try await companies.list(accountId: principal.accountId, visibleTo: restrictTo, page: page)
    }

    public func get(_ principal: Principal, id: UUID) async throws -> Company {
        try await authorize(principal, companyId: id, needs: .viewer, scope: .companiesRead)
    }

    /// Loads a company of the principal's account and checks the principal may act on it.
    /// Account owners/admins hold every company; members need a company role of at least
    /// `needs`; API keys need `scope`. A company the caller cannot see answers 404.
    @discardableResult
    public func authorize(_ principal: Principal, companyId: UUID, needs: CompanyRole, scope: Scope) async throws -> Company {
        let decidedByCompanyRole = principal.sessionId != nil && principal.role == .member
        if !decidedByCompanyRole { try principal.require(scope) }
        guard let company = try await companies.find(id: companyId, accountId: principal.accountId) else {
            throw FiscalMixError.notFound("Company")
        }
        guard decidedByCompanyRole, let userId = principal.userId else { return company }
        guard let role = try await companies.role(companyId: companyId, userId: userId) else { throw FiscalMixError.notFound("Company") }
        guard role >= needs else {
            throw IdentityError(
                .forbidden, .insufficientCompanyRole, "This needs the '\(needs.rawValue)' role on the company; you have '\(role.rawValue)'.")
        }
        return company
    }

    public func members(_ principal: Principal, companyId: UUID) async throws -> [(userId: UUID, role: CompanyRole)] {
        try await authorize(principal, companyId: companyId, needs: .viewer, scope: .companiesRead)
        return try await companies.members(companyId: companyId)
    }

    /// Grants or changes a user's role on a company (company admins and account admins).
    public func setMemberRole(_ principal: Principal, companyId: UUID, userId: UUID, role: CompanyRole?, meta: RequestMeta) async throws {
        try await authorize(principal, companyId: companyId, needs: .admin, scope: .companiesWrite)
        guard try await users.find(id: userId, accountId: principal.accountId) != nil else { throw FiscalMixError.notFound("User") }
        let now = clock.now()
        let companies = self.companies
        let previous: CompanyRole? = try await database.transaction { tx in
            if let role { return try await companies.setRole(companyId: companyId, userId: userId, role: role, at: now, in: tx) }
            return try await companies.removeRole(companyId: companyId, userId: userId, in: tx)
        }
        try await audit.record(
            "company.member_role_changed", by: principal, entityType: "company", entityId: companyId.lowercased,
            metadata: ["user": userId.lowercased],
            diff: ["role": ["from": previous?.rawValue ?? "none", "to": role?.rawValue ?? "none"]], meta: meta)
    }
}
