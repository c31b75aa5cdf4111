public import FiscalMixCore
public import FiscalMixDatabase
public import FiscalMixIdentity
public import Foundation

/// Reading what the sync stored: lists with filters, one document with its events, its XML.
public struct FiscalDocumentService: Sendable {
    let documents: FiscalDocumentRepository
    let events: FiscalEventRepository
    let companies: CompanyService
    let blobs: any BlobStore
    let links: any BlobLinks
    let clock: any WallClock

    public init(database: Database, companies: CompanyService, blobs: any BlobStore, links: any BlobLinks, clock: any WallClock) {
        documents = FiscalDocumentRepository(database: database)
        events = FiscalEventRepository(database: database)
        self.companies = companies
        self.blobs = blobs
        self.links = links
        self.clock = clock
    }

    public func list(
        _ principal: Principal, filter: FiscalDocumentFilter, limit: Int,
        after cursor: FiscalDocumentCursor?
    ) async throws -> (items: [FiscalDocumentRecord], next: FiscalDocumentCursor?) {
        let visible = try await readableCompanies(principal, companyId: filter.companyId)
        return try await documents.list(
            accountId: principal.accountId, filter: filter, onlyCompanies: visible,
            limit: max(1, min(limit, PageRequest.maxLimit)), after: cursor)
    }

    /// Every stored event, including those whose document has not arrived (or never will: a CT-e
    /// or passage event about a note the company does not receive).
    public func events(_ principal: Principal, filter: FiscalEventFilter, page: PageRequest) async throws -> Page<FiscalEventRecord> {
        let visible = try await readableCompanies(principal, companyId: filter.companyId)
        return try await events.list(accountId: principal.accountId, filter: filter, onlyCompanies: visible, page: page)
    }

    /// Checks the caller may read fiscal records (of `companyId`, when a filter names one) and
    /// answers the companies a list must keep to: account members see those they hold a role on;
    /// nil means every company of the account.
    private func readableCompanies(_ principal: Principal, companyId: UUID?) async throws -> [UUID]? {
        if let companyId {
            try await companies.authorize(principal, companyId: companyId, needs: .viewer, scope: .documentsRead)
        } else {
            try principal.require(.documentsRead)
        }
        return principal.sessionId != nil && principal.role == .member ? try await companies.companyIds(visibleTo: principal.userId) : nil
    }

    public func get(_ principal: Principal, id: UUID) async throws -> (document: FiscalDocumentRecord, events: [FiscalEventRecord]) {
        let document = try await visible(principal, id: id)
        return (document, try await events.list(documentId: id, accountId: principal.accountId))
    }

    /// The stored XML, checked against the SHA-256 recorded when it was stored before a byte is
    /// sent (a first pass reads it through the hash without holding it), then sent in chunks.
    public func xml(_ principal: Principal, id: UUID) async throws -> (document: FiscalDocumentRecord, size: Int, chunks: VerifiedXMLChunks) {
        let document = try await visible(principal, id: id)
        let missing = FiscalError(.unavailable, .xmlMissing, "The document's XML is missing from the blob store.")
        guard let checking = try await blobs.reader(document.storageXMLPath) else { throw missing }
        // The first pass is the same verified read as the send, counting instead of sending.
        var size = 0
        do {
            for try await chunk in VerifiedXMLChunks(reader: checking, expectedSHA256: document.hashSHA256) { size += chunk.count }
        } catch is VerifiedXMLChunks.Changed {
            throw FiscalError(.unavailable, .xmlCorrupt, "The stored XML does not match its recorded SHA-256; it was not sent.")
        }
        guard let sending = try await blobs.reader(document.storageXMLPath) else { throw missing }
        return (document, size, VerifiedXMLChunks(reader: sending, expectedSHA256: document.hashSHA256))
    }

    /// A link that downloads the document's XML without an API key until it expires (60 s to
    /// 7 days; 5 minutes unless asked). The download checks the recorded SHA-256 as the XML
    /// route does.
    public func xmlLink(_ principal: Principal, id: UUID, expiresIn: Int?) async throws -> (url: URL, expiresAt: Date) {
        let seconds = expiresIn ?? 300
        guard (60...Int(BlobLink.maxLifetime)).contains(seconds) else {
            throw FiscalMixError.validation("expiresIn", "expiresIn must be 60 to \(Int(BlobLink.maxLifetime)) seconds.")
        }
        let document = try await visible(principal, id: id)
        let expiresAt = Date(timeIntervalSince1970: (clock.now().timeIntervalSince1970 + Double(seconds)).rounded(.down))
        let link = BlobLink(
            key: document.storageXMLPath, expiresAt: expiresAt, filename: "\(document.accessKey).xml",
            contentType: "application/xml; charset=utf-8", sha256: document.hashSHA256)
        return (try links.url(for: link), expiresAt)
    }

    private func visible(_ principal: Principal, id: UUID) async throws -> FiscalDocumentRecord {
        guard let document = try await documents.find(id: id, accountId: principal.accountId) else { throw FiscalMixError.notFound("Document") }
        do {
            try await companies.authorize(principal, companyId: document.companyId, needs: .viewer, scope: .documentsRead)
        } catch let error as IdentityError where error.code == .insufficientCompanyRole {
            throw FiscalMixError.notFound("Document")
        }
        return document
    }
}
