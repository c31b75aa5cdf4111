public import Foundation

/// A company whose fiscal documents FiscalMix holds (docs/data-model.md `companies`).
public struct Company: Sendable, Codable, Equatable {
    public enum Status: String, Sendable, Codable, CaseIterable { case active, inactive }

    public var id: UUID
    public var accountId: UUID
    public var cnpj: String
    public var razaoSocial: String
    public var nomeFantasia: String?
    public var ie: String?
    public var uf: UF
    public var municipio: String?
    public var tags: [String]
    public var status: Status
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: UUID, accountId: UUID, cnpj: String, razaoSocial: String, nomeFantasia: String?, ie: String?,
        uf: UF, municipio: String?, tags: [String], status: Status, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.accountId = accountId
        self.cnpj = cnpj
        self.razaoSocial = razaoSocial
        self.nomeFantasia = nomeFantasia
        self.ie = ie
        self.uf = uf
        self.municipio = municipio
        self.tags = tags
        self.status = status
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
