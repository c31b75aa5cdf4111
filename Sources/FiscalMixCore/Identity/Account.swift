public import Foundation

/// The tenant: the `accounts` table merged with the `Workspace` entity (docs/data-model.md).
public struct Account: Sendable, Codable, Equatable {
    public enum Plan: String, Sendable, Codable, CaseIterable { case free, starter, professional, enterprise }
    public enum Status: String, Sendable, Codable, CaseIterable { case active, suspended, cancelled }

    public var id: UUID
    public var name: String
    public var plan: Plan
    public var env: String
    public var status: Status
    public var timeZone: String
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: UUID, name: String, plan: Plan, env: String, status: Status, timeZone: String, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.name = name
        self.plan = plan
        self.env = env
        self.status = status
        self.timeZone = timeZone
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// Names are what people type; keep them printable and bounded.
    public static func validateName(_ raw: String) throws(FiscalMixError) -> String {
        let name = raw.trimmingWhitespace()
        guard (2...120).contains(name.count), !name.contains(where: { $0.isNewline }) else {
            throw .validation("name", "Account name must have 2 to 120 characters on one line.")
        }
        return name
    }

    public static let environments: Set<String> = ["production", "sandbox", "development"]
}
