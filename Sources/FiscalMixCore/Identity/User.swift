public import Foundation

/// A person who signs in (docs/data-model.md `users`). Secrets (password hash, sealed TOTP secret) are
/// kept out of this type on purpose: they live only in the storage records that need them.
public struct User: Sendable, Codable, Equatable {
    public enum Status: String, Sendable, Codable, CaseIterable { case active, disabled }

    public var id: UUID
    public var accountId: UUID
    public var name: String
    public var email: String
    public var role: AccountRole
    public var status: Status
    /// Staff operators may act across accounts; every such action leaves an operator audit row.
    public var isStaff: Bool
    public var mfaEnabled: Bool
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: UUID, accountId: UUID, name: String, email: String, role: AccountRole, status: Status,
        isStaff: Bool, mfaEnabled: Bool, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.accountId = accountId
        self.name = name
        self.email = email
        self.role = role
        self.status = status
        self.isStaff = isStaff
        self.mfaEnabled = mfaEnabled
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    public static func validateName(_ raw: String) throws(FiscalMixError) -> String {
        let name = raw.trimmingWhitespace()
        guard (1...120).contains(name.count), !name.contains(where: { $0.isNewline }) else {
            throw .validation("name", "Name must have 1 to 120 characters on one line.")
        }
        return name
    }

    /// Length rules follow NIST SP 800-63B: at least 12 characters; bcrypt reads at most 72 bytes.
    public static func validatePassword(_ password: String) throws(FiscalMixError) {
        guard password.count >= 12 else {
            throw .validation("password", "Password must have at least 12 characters.")
        }
        guard password.utf8.count <= 72 else {
            throw .validation("password", "Password must be at most 72 bytes.")
        }
    }
}
