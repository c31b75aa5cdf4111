public import FiscalMixCore
public import FiscalMixDatabase
public import FiscalMixIdentity
public import FiscalMixVault
public import Foundation

/// A1 certificates (flow 3.1): checked, sealed by the vault with their password, listed, expired,
/// and opened again only inside the process for mutual TLS and signing.
public struct CertificateService: Sendable {
    /// Real A1 files are a few kilobytes; anything far larger is not one.
    public static let maxFileBytes = 256 * 1024

    let database: Database
    let certificates: CertificateRepository
    let vault: SecretVault
    let companies: CompanyService
    let audit: AuditTrail
    let clock: any WallClock
    /// Where a new file is opened first (nil: in-process only, where no child process can be run).
    let isolation: (any PKCS12Isolation)?

    public init(
        database: Database, vault: SecretVault, companies: CompanyService, audit: AuditTrail, clock: any WallClock,
        isolation: (any PKCS12Isolation)? = nil
    ) {
        self.isolation = isolation
        self.database = database
        certificates = CertificateRepository(database: database)
        self.vault = vault
        self.companies = companies
        self.audit = audit
        self.clock = clock
    }

    public func uploadA1(
        _ principal: Principal, companyId: UUID, file: [UInt8], password: String, meta: RequestMeta
    ) async throws -> CertificateRecord {
        let company = try await companies.authorize(principal, companyId: companyId, needs: .admin, scope: .companiesWrite)
        guard !file.isEmpty else { throw FiscalMixError.validation("file", "The certificate file is missing.") }
        guard file.count <= Self.maxFileBytes else {
            throw FiscalError(.payloadTooLarge, .certificateTooLarge, "A certificate file has at most \(Self.maxFileBytes) bytes.")
        }
        let now = clock.now()
        if let isolation, !(try await isolation.survives(pfx: file, password: password)) {
            throw FiscalError(
                .unprocessable, .certificateKeyMismatch, "The file's private key matches none of its certificates (or the file is malformed).",
                details: ["field": "file"])
        }
        let opened = try A1Certificate.open(pfx: file, password: password, now: now, companyCNPJ: company.cnpj)
        let existing = try await certificates.list(companyId: companyId, accountId: principal.accountId)
        if existing.contains(where: { $0.fingerprint == opened.metadata.fingerprint && $0.status == .active }) {
            throw FiscalError(.conflict, .certificateExists, "This certificate is already active for the company.")
        }
        let id = ID.make(now: now)
        let sealedFile = try await vault.seal(file, ownerTable: "certificates", ownerId: id.lowercased, accountId: principal.accountId)
        let sealedPassword = try await vault.seal(
            Array(password.utf8), ownerTable: "certificates", ownerId: id.lowercased,
            accountId: principal.accountId)
        let m = opened.metadata
        let record = CertificateRecord(
            id: id, accountId: principal.accountId, companyId: companyId, type: "A1", status: .active,
            fingerprint: m.fingerprint, subject: m.subject, issuer: m.issuer, serial: m.serial, cnpj: m.cnpj,
            validFrom: m.validFrom, validTo: m.validTo, createdAt: now, updatedAt: now,
            fileSecretId: sealedFile.id, passwordSecretId: sealedPassword.id)
        let entry = audit.entry(
            "certificate.uploaded", by: principal, entityType: "certificate", entityId: id.lowercased,
            metadata: [
                "company": companyId.lowercased, "fingerprint": m.fingerprint, "cnpj": m.cnpj,
                "validTo": RFC3339.string(from: m.validTo),
            ], meta: meta)
        try await database.transaction { [certificates, vault, audit] tx in
            try await vault.insert(sealedFile, in: tx)
            try await vault.insert(sealedPassword, in: tx)
            try await certificates.insert(record, in: tx)
            try await audit.write(entry, in: tx)
        }
        return record
    }

    public func list(_ principal: Principal, companyId: UUID) async throws -> [CertificateRecord] {
        try await companies.authorize(principal, companyId: companyId, needs: .viewer, scope: .companiesRead)
        return try await certificates.list(companyId: companyId, accountId: principal.accountId)
    }

    /// Active certificates of the account that expire within `seconds` (or already have).
    public func expiring(_ principal: Principal, within seconds: TimeInterval) async throws -> [CertificateRecord] {
        try principal.require(.companiesRead)
        let all = try await certificates.expiring(accountId: principal.accountId, before: clock.now().addingTimeInterval(seconds))
        guard principal.sessionId != nil, principal.role == .member else { return all }
        var visible: [CertificateRecord] = []
        for record in all where (try? await companies.authorize(principal, companyId: record.companyId, needs: .viewer, scope: .companiesRead)) != nil
        {
            visible.append(record)
        }
        return visible
    }

    public func revoke(_ principal: Principal, id: UUID, meta: RequestMeta) async throws -> CertificateRecord {
        guard var record = try await certificates.find(id: id, accountId: principal.accountId) else { throw FiscalMixError.notFound("Certificate") }
        try await companies.authorize(principal, companyId: record.companyId, needs: .admin, scope: .companiesWrite)
        let now = clock.now()
        let entry = audit.entry(
            "certificate.revoked", by: principal, entityType: "certificate", entityId: id.lowercased,
            metadata: ["company": record.companyId.lowercased, "fingerprint": record.fingerprint], meta: meta)
        try await database.transaction { [certificates, audit] tx in
            try await certificates.setStatus(id: id, accountId: principal.accountId, status: .revoked, now: now, in: tx)
            try await audit.write(entry, in: tx)
        }
        record.status = .revoked
        record.updatedAt = now
        return record
    }

    /// The daily job: active certificates past their end become `expired`.
    public func expireOverdue() async throws -> Int {
        try await certificates.markExpired(now: clock.now())
    }

    public func hasCurrent(companyId: UUID, accountId: UUID) async throws -> Bool {
        try await certificates.current(companyId: companyId, accountId: accountId, now: clock.now()) != nil
    }

    /// Opens the company's current A1 certificate from the vault, for mutual TLS and signing.
    public func identity(companyId: UUID, accountId: UUID) async throws -> A1Certificate {
        let now = clock.now()
        guard let record = try await certificates.current(companyId: companyId, accountId: accountId, now: now) else {
            throw FiscalError(.unprocessable, .noActiveCertificate, "The company has no active A1 certificate valid now; upload one first.")
        }
        let file = try await vault.reveal(record.fileSecretId, accountId: accountId)
        let password = String(decoding: try await vault.reveal(record.passwordSecretId, accountId: accountId), as: UTF8.self)
        return try A1Certificate.open(pfx: Array(file), password: password, now: now)
    }
}
