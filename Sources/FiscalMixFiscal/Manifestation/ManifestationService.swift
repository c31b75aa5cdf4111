public import FiscalMixCore
public import FiscalMixDFe
public import FiscalMixDatabase
import FiscalMixEventLog
public import FiscalMixIdentity
import FiscalMixJSON
public import FiscalMixJobs
public import FiscalMixOutbound
import FiscalMixWebhooks
public import Foundation

/// Manifestação do destinatário (docs/sefaz.md, "Manifestação do destinatário"): builds the `evento`, signs it with the
/// company's A1 certificate, sends it to NFeRecepcaoEvento4 over mutual TLS through the outbound
/// client, and records the registered event (`procEventoNFe`) like a distributed one.
public struct ManifestationService: Sendable {
    /// The job that sends an automatic ciência (`{"document_id": …, "type": "ciencia"}`).
    public static let jobType = "fiscal.manifest"

    /// Automatic ciência (connector config `autoCiencia`): one job per new summary, so its full
    /// XML comes on a later sync; keyed by document.
    static func cienciaJobs(documentIds: [UUID], accountId: UUID, correlationId: String) -> [NewJob] {
        documentIds.map { id in
            NewJob(
                type: jobType, accountId: accountId, payload: #"{"document_id":"\#(id.lowercased)","type":"ciencia"}"#, maxAttempts: 5,
                idempotencyKey: "ciencia:\(id.lowercased)", correlationId: correlationId)
        }
    }

    let database: Database
    let documents: FiscalDocumentRepository
    let companies: CompanyService
    let certificates: CertificateService
    let sync: DFeSyncService
    let outbound: OutboundClient?
    let blobs: any BlobStore
    let clock: any WallClock

    public init(
        database: Database, companies: CompanyService, certificates: CertificateService, sync: DFeSyncService,
        outbound: OutboundClient?, blobs: any BlobStore, clock: any WallClock
    ) {
        self.database = database
        documents = FiscalDocumentRepository(database: database)
        self.companies = companies
        self.certificates = certificates
        self.sync = sync
        self.outbound = outbound
        self.blobs = blobs
        self.clock = clock
    }

    public struct Outcome: Sendable, Encodable {
        /// registered, or already_registered (573: the AN holds this event already).
        public var result: String
        public var statusCode: Int
        public var reason: String
        public var protocolNumber: String?
        public var eventId: String
    }

    public func manifest(_ principal: Principal, documentId: UUID, type: ManifestationType, justification: String?) async throws -> Outcome {
        guard let document = try await documents.find(id: documentId, accountId: principal.accountId) else {
            throw FiscalMixError.notFound("Document")
        }
        let company = try await companies.authorize(principal, companyId: document.companyId, needs: .operator, scope: .documentsWrite)
        return try await send(document: document, company: company, type: type, justification: justification)
    }

    /// The `fiscal.manifest` job: a rejection is final (the AN would answer the same again); a
    /// network failure is retried by the job's policy.
    public var definition: JobDefinition {
        JobDefinition(type: Self.jobType, maxAttempts: 5, timeout: .seconds(120)) { context in
            guard let payload = context.payload.flatMap({ try? JSON(parsing: $0) }),
                let id = payload["document_id"]?.stringValue.flatMap(UUID.init(uuidString:)),
                let type = payload["type"]?.stringValue.flatMap(ManifestationType.init(rawValue:))
            else { throw JobFailure.doNotRetry(message: "payload must name document_id and type") }
            guard let document = try await documents.find(id: id),
                let company = try await companies.company(id: document.companyId, accountId: document.accountId)
            else { return }
            do {
                _ = try await send(document: document, company: company, type: type, justification: nil)
            } catch let error as any ClientFacingError where error.kind != .unavailable {
                throw JobFailure.doNotRetry(message: "\(error.publicCode): \(error.message)")
            }
        }
    }

    func send(document: FiscalDocumentRecord, company: Company, type: ManifestationType, justification: String?) async throws -> Outcome {
        guard document.docType == .NFE, document.direction == .received else {
            throw FiscalError(.unprocessable, .notManifestable, "Only NF-e received by the company take a manifestação do destinatário.")
        }
        let now = clock.now()
        let config = try await sync.configuration(companyId: company.id, docType: .NFE)
        // dhEvento carries whole seconds: the event keeps the instant that was signed, not a finer one.
        let signedAt = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))
        let signedEvent = ManifestationEvent(
            accessKey: document.accessKey, author: company.cnpj, environment: config.environment.code,
            type: type, justification: justification, date: signedAt)
        if let problem = signedEvent.justificationProblem { throw FiscalMixError.validation("justificativa", problem) }
        guard let outbound else { throw FiscalError(.unavailable, .outboundUnavailable, "Outside calls are not configured.") }
        let identity = try await certificates.identity(companyId: company.id, accountId: company.accountId)
        let signed = try XMLSignature.signEnveloped(signedEvent.xml, referenceId: signedEvent.id, with: identity)
        let (body, contentType) = RecepcaoEvento.request(
            signedEvents: [signed], lote: Int64(now.timeIntervalSince1970 * 1000) % 1_000_000_000_000_000)
        let tls = try SefazDistributionClient.tlsConfiguration(identity: identity, trustRootsPEM: config.caBundlePEM)
        let endpoint = config.eventEndpoint ?? RecepcaoEvento.endpoint(production: config.environment == .producao)
        // A manifestação is not idempotent at the AN (a repeat is 573): never retried blindly.
        var policy = Policy()
        policy.retry.maxAttempts = 1
        let response = try await outbound.execute(
            OutboundRequest(
                method: "POST", url: endpoint, headers: [("Content-Type", contentType)], body: body,
                operation: "sefaz.nfeRecepcaoEventoNF", tlsConfiguration: tls),
            policy: policy, context: OutboundContext(accountId: company.accountId, policyKey: "sefaz-event:\(company.cnpj)"))
        let answer: RecepcaoEvento.Answer
        do { answer = try RecepcaoEvento.parseAnswer(response.body) } catch {
            throw FiscalError(.unavailable, .sefazBadAnswer, "SEFAZ answered HTTP \(response.status) with no retEnvEvento: \(error.message)")
        }
        guard answer.status == 128, let registration = answer.registrations.first else {
            throw FiscalError(.unprocessable, .manifestRejected, "SEFAZ refused the lote: \(answer.status) \(answer.reason)")
        }
        switch registration.status {
        case 135, 136:
            try await record(signed: signed, registration: registration, event: signedEvent, document: document, company: company)
            return Outcome(
                result: "registered", statusCode: registration.status, reason: registration.reason,
                protocolNumber: registration.protocolNumber, eventId: signedEvent.id)
        case 573:
            return Outcome(result: "already_registered", statusCode: 573, reason: registration.reason, protocolNumber: nil, eventId: signedEvent.id)
        default:
            throw FiscalError(.unprocessable, .manifestRejected, "SEFAZ refused the event: \(registration.status) \(registration.reason)")
        }
    }

    /// Stores `procEventoNFe` (the signed evento and its retEvento) and the event row.
    private func record(
        signed: String, registration: RecepcaoEvento.Registration, event: ManifestationEvent, document: FiscalDocumentRecord,
        company: Company
    ) async throws {
        let xml = Array(
            ("<procEventoNFe xmlns=\"http://www.portalfiscal.inf.br/nfe\" versao=\"1.00\">" + signed + registration.xml
                + "</procEventoNFe>").utf8)
        let now = clock.now()
        let parsed = DFeEvent(
            accessKey: event.accessKey, code: event.type.code, sequence: event.sequence, eventDate: event.date,
            protocolNumber: registration.protocolNumber, description: event.type.description, authorCnpjCpf: company.cnpj,
            isSummary: false, statusCode: registration.status)
        // The first registration's row and file stay as they are; a repeat (a new protocol after
        // a lost answer) is recorded in the event log, never written over them.
        let events = FiscalEventRepository(database: database)
        let held = try await events.held(companyId: company.id, accessKeys: [event.accessKey])
        if held["\(event.accessKey)|\(parsed.code)|\(parsed.sequence)"] == false {
            try await EventLog(database: database).insert(
                EventLogEntry(
                    accountId: company.accountId, severity: .warning, type: "manifestation.repeated",
                    message: "SEFAZ registered this manifestação again (\(registration.status), protocol \(registration.protocolNumber ?? "none")); the first registration is kept.",
                    data: [
                        "documentId": document.id.lowercased, "eventCode": parsed.code, "sequence": String(parsed.sequence),
                        "protocolNumber": registration.protocolNumber ?? "",
                    ],
                    correlationId: document.id.lowercased, createdAt: now))
            return
        }
        let hash = DFeBatchWriter.sha256(xml)
        let path = DFeBatchWriter.eventKey(accountId: company.accountId, companyId: company.id, event: parsed, sha256: hash)
        try await blobs.put(path, xml)
        let record = FiscalEventRecord(
            id: ID.make(now: now), accountId: company.accountId, companyId: company.id, documentId: document.id, accessKey: event.accessKey,
            eventType: parsed.eventType, eventCode: parsed.code, sequence: parsed.sequence, eventDate: event.date,
            protocolNumber: registration.protocolNumber, description: parsed.description, authorCnpjCpf: company.cnpj, isSummary: false,
            nsu: nil, storageXMLPath: path, hashSHA256: hash, createdAt: now)
        try await database.transaction { [database] tx in
            // The row and its announcement commit together.
            let written = try await events.upsertReturning([record], syncRunId: nil, in: tx)
            try await IntegrationEventPublisher(database: database).publish(
                accountId: company.accountId, written.map { DFeBatchWriter.eventAnnouncement(record, written: $0) }, now: now, in: tx)
        }
    }
}
