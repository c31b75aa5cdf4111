public import FiscalMixCore
public import FiscalMixDatabase
import FiscalMixSecrets
public import Foundation

/// Accounts and their people: first-owner set-up, invites, roles.
public struct AccountService: Sendable {
    let database: Database
    let accounts: AccountRepository
    let users: UserRepository
    let invites: InviteRepository
    let hasher: PasswordHasher
    let audit: AuditTrail
    let configuration: IdentityConfiguration
    let clock: any WallClock
    let cache: CredentialCache

    public init(database: Database, auth: AuthService) {
        self.database = database
        cache = auth.cache
        accounts = AccountRepository(database: database)
        users = auth.users
        invites = InviteRepository(database: database)
        hasher = auth.hasher
        audit = auth.audit
        configuration = auth.configuration
        clock = auth.clock
    }

    public struct NewAccount: Sendable {
        public var accountName: String
        public var plan: Account.Plan = .free
        public var env: String = "production"
        public var ownerName: String
        public var ownerEmail: String
        public var ownerPassword: String
        public var ownerIsStaff = false

        public init(accountName: String, ownerName: String, ownerEmail: String, ownerPassword: String) {
            self.accountName = accountName
            self.ownerName = ownerName
            self.ownerEmail = ownerEmail
            self.ownerPassword = ownerPassword
        }
    }

    /// Creates an account and its owner in one transaction (`fiscalmix admin create`).
    public func createAccount(_ request: NewAccount) async throws -> (Account, User) {
        let name = try Account.validateName(request.accountName)
        let ownerName = try User.validateName(request.ownerName)
        let email = try EmailAddress(request.ownerEmail).value
        try User.validatePassword(request.ownerPassword)
        guard Account.environments.contains(request.env) else {
            throw FiscalMixError.validation("env", "env must be one of \(Account.environments.sorted().joined(separator: ", ")).")
        }
        let hash = try await hasher.hash(request.ownerPassword)
        let now = clock.now()
        let account = Account(
            id: ID.make(now: now), name: name, plan: request.plan, env: request.env, status: .active, timeZone: "UTC",
            createdAt: now, updatedAt: now)
        let owner = User(
            id: ID.make(now: now), accountId: account.id, name: ownerName, email: email, role: .owner, status: .active,
            isStaff: request.ownerIsStaff, mfaEnabled: false, createdAt: now, updatedAt: now)
        let entry = AuditEntry(
            accountId: account.id, actorType: .system, userId: owner.id, action: "account.created",
            entityType: "account", entityId: account.id.lowercased, metadata: ["owner": owner.id.lowercased],
            createdAt: now)
        do {
            try await database.transaction { [accounts, users, audit] tx in
                try await accounts.insert(account, in: tx)
                try await users.insert(owner, passwordHash: hash, in: tx)
                try await audit.repository.insert(entry, in: tx)
            }
        } catch  where database.isUniqueViolation(error) {
            throw IdentityError(.conflict, .alreadyExists, "An account with this name or a user with this email already exists.")
        }
        return (account, owner)
    }

    public func account(_ principal: Principal) async throws -> Account {
        let now = clock.now()
        if let cached = cache.account(principal.accountId, now: now) { return cached }
        guard let account = try await accounts.find(id: principal.accountId) else { throw FiscalMixError.notFound("Account") }
        cache.remember(account: account, now: now)
        return account
    }

    // MARK: Users

    public func listUsers(_ principal: Principal, page: PageRequest) async throws -> Page<User> {
        try principal.require(.admin)
        return try await users.list(accountId: principal.accountId, page: page)
    }

    public func user(_ principal: Principal, id: UUID) async throws -> User {
        if principal.userId != id { try principal.require(.admin) }
        guard let user = try await users.find(id: id, accountId: principal.accountId) else { throw FiscalMixError.notFound("User") }
        return user
    }

    /// Changes a user's account role or status. Only owners grant or take away `owner`, and an
    /// account always keeps one active owner.
    public func updateUser(_ principal: Principal, id: UUID, role: AccountRole?, status: User.Status?, meta: RequestMeta) async throws -> User {
        try principal.require(.admin)
        guard let user = try await users.find(id: id, accountId: principal.accountId) else { throw FiscalMixError.notFound("User") }
        let newRole = role ?? user.role
        let newStatus = status ?? user.status
        if (newRole == .owner || user.role == .owner), newRole != user.role || newStatus != user.status, principal.role != .owner {
            throw IdentityError(.forbidden, .ownerRequired, "Only an owner can change an owner or make one.")
        }
        if newRole == user.role && newStatus == user.status { return user }
        var diff: [String: [String: String]] = [:]
        if newRole != user.role { diff["role"] = ["from": user.role.rawValue, "to": newRole.rawValue] }
        if newStatus != user.status { diff["status"] = ["from": user.status.rawValue, "to": newStatus.rawValue] }
        let now = clock.now()
        let entry = audit.entry("user.role_changed", by: principal, entityType: "user", entityId: id.lowercased, diff: diff, meta: meta)
        let accountId = principal.accountId
        try await database.transaction { [users, audit] tx in
            try await users.update(role: newRole, status: newStatus, userId: id, accountId: accountId, at: now, in: tx)
            guard try await users.countOwners(accountId: accountId, in: tx) >= 1 else {
                throw IdentityError(.conflict, .lastOwner, "An account needs at least one active owner.")
            }
            try await audit.repository.insert(entry, in: tx)
        }
        if newStatus == .disabled {
            try await SessionRepository(database: database).revokeAll(userId: id, reason: "user_disabled", at: now)
        }
        return try await self.user(principal, id: id)
    }

    // MARK: Invites

    /// Creates an invite; the token is returned once (to be sent to the invitee) and stored hashed.
    public func invite(_ principal: Principal, email rawEmail: String, role: AccountRole, meta: RequestMeta) async throws -> (Invite, String) {
        try principal.require(.admin)
        let email = try EmailAddress(rawEmail).value
        if role == .owner, principal.role != .owner {
            throw IdentityError(.forbidden, .ownerRequired, "Only an owner can invite another owner.")
        }
        guard try await !users.emailExists(email) else {
            throw IdentityError(.conflict, .emailTaken, "A user with this email already exists.")
        }
        let now = clock.now()
        let token = OpaqueToken.generate(prefix: "fmi_")
        let invite = Invite(
            id: ID.make(now: now), accountId: principal.accountId, email: email, role: role,
            expiresAt: now.addingTimeInterval(configuration.inviteLifetime), usedAt: nil, createdBy: principal.userId,
            createdAt: now)
        try await invites.insert(invite, tokenHash: OpaqueToken.sha256Hex(token))
        try await audit.record(
            "invite.created", by: principal, entityType: "invite", entityId: invite.id.lowercased,
            metadata: ["email": email, "role": role.rawValue], meta: meta)
        return (invite, token)
    }

    public func listInvites(_ principal: Principal, page: PageRequest) async throws -> Page<Invite> {
        try principal.require(.admin)
        return try await invites.list(accountId: principal.accountId, page: page)
    }

    /// Accepting an invite creates the user; a token works once and only before it expires.
    public func acceptInvite(token: String, name rawName: String, password: String, meta: RequestMeta) async throws -> User {
        let name = try User.validateName(rawName)
        try User.validatePassword(password)
        let hash = try await hasher.hash(password)
        let now = clock.now()
        let tokenHash = OpaqueToken.sha256Hex(token)
        let invalid = IdentityError(.unprocessable, .inviteInvalid, "This invite is unknown, used or expired.")
        do {
            return try await database.transaction { [invites, users, audit] tx in
                guard let invite = try await invites.find(tokenHash: tokenHash, in: tx), invite.usedAt == nil, invite.expiresAt > now else {
                    throw invalid
                }
                let user = User(
                    id: ID.make(now: now), accountId: invite.accountId, name: name, email: invite.email, role: invite.role,
                    status: .active, isStaff: false, mfaEnabled: false, createdAt: now, updatedAt: now)
                try await users.insert(user, passwordHash: hash, in: tx)
                guard try await invites.markUsed(id: invite.id, by: user.id, at: now, in: tx) else { throw invalid }
                var entry = audit.entry(
                    "invite.accepted", by: nil, accountId: invite.accountId, entityType: "invite",
                    entityId: invite.id.lowercased, metadata: ["user": user.id.lowercased], meta: meta)
                entry.userId = user.id
                try await audit.repository.insert(entry, in: tx)
                return user
            }
        } catch  where database.isUniqueViolation(error) {
            throw IdentityError(.conflict, .emailTaken, "A user with this email already exists.")
        }
    }
}
