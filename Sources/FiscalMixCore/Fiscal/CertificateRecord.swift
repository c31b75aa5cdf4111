public import Foundation

/// A company's digital certificate as FiscalMix records it (`certificates`, docs/data-model.md). The file and
/// its password live sealed in the vault; this record only names them.
public struct CertificateRecord: Sendable, Codable, Equatable {
    public enum Status: String, Sendable, Codable, CaseIterable { case active, expired, revoked, pending }

    public var id: UUID
    public var accountId: UUID
    public var companyId: UUID
    public var type: String
    public var status: Status
    public var fingerprint: String
    public var subject: String
    public var issuer: String
    public var serial: String
    public var cnpj: String
    public var validFrom: Date
    public var validTo: Date
    public var createdAt: Date
    public var updatedAt: Date
    /// Vault ids of the sealed PKCS#12 file and of its password. Never part of a response.
    public var fileSecretId: UUID
    public var passwordSecretId: UUID

    enum CodingKeys: String, CodingKey {
        case id, accountId, companyId, type, status, fingerprint, subject, issuer, serial, cnpj, validFrom, validTo, createdAt, updatedAt
    }

    public init(
        id: UUID, accountId: UUID, companyId: UUID, type: String, status: Status, fingerprint: String, subject: String,
        issuer: String, serial: String, cnpj: String, validFrom: Date, validTo: Date, createdAt: Date, updatedAt: Date,
        fileSecretId: UUID, passwordSecretId: UUID
    ) {
        self.id = id
        self.accountId = accountId
        self.companyId = companyId
        self.type = type
        self.status = status
        self.fingerprint = fingerprint
        self.subject = subject
        self.issuer = issuer
        self.serial = serial
        self.cnpj = cnpj
        self.validFrom = validFrom
        self.validTo = validTo
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.fileSecretId = fileSecretId
        self.passwordSecretId = passwordSecretId
    }

    public init(from decoder: any Decoder) throws {
        throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "Certificate records are read from storage only."))
    }
}
