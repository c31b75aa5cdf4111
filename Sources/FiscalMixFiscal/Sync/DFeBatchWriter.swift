import Crypto
import FiscalMixCore
import FiscalMixDFe
import FiscalMixDatabase
import FiscalMixJobs
import FiscalMixWebhooks
import Foundation

/// Stores one distribution answer: each docZip is gunzipped (bounded), parsed, its XML written
/// to the blob store, and then — in **one transaction** — the documents and events are upserted,
/// the run's counters and the NSU cursor advance together. A crash before the commit leaves the
/// cursor where it was, so the same answer is asked for and stored again (upserts make that
/// harmless); a crash after it never asks for the same range twice.
struct DFeBatchWriter: Sendable {
    /// The largest XML a docZip may expand to: real procNFe run to a few hundred KB; a bomb stops here.
    static let maxExpandedBytes = 4 << 20

    let database: Database
    let blobs: any BlobStore
    let clock: any WallClock

    struct Context: Sendable {
        var run: SyncRun
        var company: Company
        /// A ciência job per new summary, enqueued with the batch (the company's connector config).
        var autoCiencia = false
    }

    struct Outcome: Sendable {
        var found = 0
        var saved = 0
        var events = 0
        var problems: [SyncRun.Problem] = []
        /// Summaries stored for the first time (candidates for an automatic ciência).
        var newSummaries: [UUID] = []
    }

    private struct DocumentItem {
        var nsu: Int64
        var schema: String
        var xml: [UInt8]
        var document: DFeDocument
    }

    private struct EventItem {
        var nsu: Int64
        var schema: String
        var xml: [UInt8]
        var event: DFeEvent
        var key: String { "\(event.accessKey)|\(event.code)|\(event.sequence)" }
    }

    /// Fiscal files are write-once: a file's name carries the start of its SHA-256, so a new
    /// version (the full XML after its summary) lands beside the old one and a row never points
    /// at bytes other than those it recorded.
    static func documentKey(accountId: UUID, companyId: UUID, accessKey: String, sha256: String) -> String {
        "\(accountId.lowercased)/\(companyId.lowercased)/xml/\(accessKey)-\(sha256.prefix(16)).xml"
    }

    static func eventKey(accountId: UUID, companyId: UUID, event: DFeEvent, sha256: String) -> String {
        "\(accountId.lowercased)/\(companyId.lowercased)/xml/\(event.accessKey)-\(event.code)-\(event.sequence)-\(sha256.prefix(16)).xml"
    }

    /// Stores the answer's documents and commits `cursor` with them.
    func store(_ answer: DistributionResponse, context: Context, cursor: SyncCursor) async throws -> Outcome {
        let run = context.run, company = context.company
        var outcome = Outcome()
        var documents: [String: DocumentItem] = [:]
        var events: [String: EventItem] = [:]
        for zip in answer.documents.sorted(by: { ($0.nsu ?? 0) < ($1.nsu ?? 0) }) {
            outcome.found += 1
            let nsu = zip.nsu ?? 0
            switch await open(zip, context: context) {
            case .problem(let problem):
                outcome.problems.append(problem)
            case .payload(let xml, .document(let document)):
                // Within one answer the full document beats its summary, and a later NSU an earlier one.
                let key = document.accessKey.value
                if let kept = documents[key], kept.document.isSummary == false, document.isSummary { continue }
                documents[key] = DocumentItem(nsu: nsu, schema: zip.schema, xml: xml, document: document)
            case .payload(let xml, .event(let event)):
                let item = EventItem(nsu: nsu, schema: zip.schema, xml: xml, event: event)
                if let kept = events[item.key], kept.event.isSummary == false, event.isSummary { continue }
                events[item.key] = item
            }
        }

        // Only what upgrades what is held is written: a summary never replaces a full document.
        let documentRepository = FiscalDocumentRepository(database: database)
        let eventRepository = FiscalEventRepository(database: database)
        let heldDocuments = try await documentRepository.held(companyId: company.id, accessKeys: Array(documents.keys))
        let heldEvents = try await eventRepository.held(companyId: company.id, accessKeys: events.values.map(\.event.accessKey))
        let now = clock.now()
        var documentRecords: [FiscalDocumentRecord] = []
        var files: [(key: String, bytes: [UInt8])] = []
        for item in documents.values.sorted(by: { $0.nsu < $1.nsu }) {
            if let heldSummary = heldDocuments[item.document.accessKey.value], !(heldSummary && !item.document.isSummary) { continue }
            let hash = Self.sha256(item.xml)
            let path = Self.documentKey(accountId: run.accountId, companyId: company.id, accessKey: item.document.accessKey.value, sha256: hash)
            files.append((path, item.xml))
            documentRecords.append(
                record(item.document, xml: item.xml, hash: hash, path: path, nsu: item.nsu, schema: item.schema, context: context, now: now))
        }
        var eventRecords: [FiscalEventRecord] = []
        for item in events.values.sorted(by: { $0.nsu < $1.nsu }) {
            if let heldSummary = heldEvents[item.key], !(heldSummary && !item.event.isSummary) { continue }
            let hash = Self.sha256(item.xml)
            let path = Self.eventKey(accountId: run.accountId, companyId: company.id, event: item.event, sha256: hash)
            files.append((path, item.xml))
            let e = item.event
            eventRecords.append(
                FiscalEventRecord(
                    id: ID.make(now: now), accountId: run.accountId, companyId: company.id, documentId: nil, accessKey: e.accessKey,
                    eventType: e.eventType, eventCode: e.code, sequence: e.sequence, eventDate: e.eventDate, protocolNumber: e.protocolNumber,
                    description: e.description.map { String($0.prefix(255)) }, authorCnpjCpf: e.authorCnpjCpf, isSummary: e.isSummary,
                    nsu: item.nsu, storageXMLPath: path, hashSHA256: hash, createdAt: now))
        }

        let (saved, savedEvents, newSummaries) = try await database.transaction { [outcome, documentRecords, eventRecords, files, blobs] tx in
            // The files are written and flushed while the statements run, and are durable before
            // the rows that point at them commit (a failed write rolls the batch back).
            async let filesDurable: Void = blobs.putAll(files)
            let publisher = IntegrationEventPublisher(database: database)
            let written = try await documentRepository.upsert(documentRecords, in: tx)
            var newSummaries: [UUID] = []
            var announcements: [IntegrationEventPublisher.NewEvent] = []
            for record in documentRecords {
                guard let id = written[record.accessKey] else { continue }
                if record.isSummary, record.direction == .received { newSummaries.append(id) }
                announcements.append(
                    .init(
                        key: "fiscal_document.received:\(id.lowercased):\(record.isSummary ? "summary" : "full")",
                        type: "fiscal_document.received", source: "fiscalmix.sync", payloadJSON: Self.payload(record, id: id)))
            }
            let writtenEvents = try await eventRepository.upsertReturning(eventRecords, syncRunId: run.id, in: tx)
            for written in writtenEvents {
                guard
                    let record = eventRecords.first(where: {
                        $0.accessKey == written.accessKey && $0.eventCode == written.eventCode
                            && $0.sequence == written.sequence
                    })
                else { continue }
                announcements.append(Self.eventAnnouncement(record, written: written))
            }
            try await publisher.publish(accountId: run.accountId, announcements, now: now, in: tx)
            let savedEvents = writtenEvents.count
            try await documentRepository.reconcile(
                companyId: company.id, accessKeys: documentRecords.map(\.accessKey) + eventRecords.map(\.accessKey),
                now: now, in: tx)
            let saved = written.count
            let runs = SyncRunRepository(database: database)
            try await runs.recordBatch(
                id: run.id, found: outcome.found, saved: saved, events: savedEvents, nsuEnd: cursor.lastNSU,
                maxNSU: cursor.maxNSU, statusCode: answer.statusCode, problems: outcome.problems, now: now, in: tx)
            try await runs.save(cursor, now: now, in: tx)
            if context.autoCiencia, !newSummaries.isEmpty {
                // In the batch's transaction: a crash cannot commit the summaries without their
                // ciência jobs. Keyed by document, so a repeated batch enqueues nothing twice.
                try await JobsInTransaction.enqueueBatch(
                    ManifestationService.cienciaJobs(documentIds: newSummaries, accountId: run.accountId, correlationId: run.id.lowercased),
                    now: now, in: tx)
            }
            try await filesDurable
            return (saved, savedEvents, newSummaries)
        }
        outcome.newSummaries = newSummaries
        outcome.saved = saved
        outcome.events = savedEvents
        return outcome
    }

    private enum Opened {
        case payload([UInt8], DFePayload)
        case problem(SyncRun.Problem)
    }

    /// Base64 → bounded gunzip → parse. What fails is kept raw under `raw/` and reported.
    private func open(_ zip: DistributionResponse.Document, context: Context) async -> Opened {
        let nsu = zip.nsu ?? 0
        let rawBase = "\(context.run.accountId.lowercased)/\(context.company.id.lowercased)/raw/\(context.run.docType.rawValue)-\(nsu)"
        func problem(_ code: String, _ message: String, keep bytes: [UInt8], as ext: String) async -> Opened {
            let path = rawBase + "." + ext
            let stored = (try? await blobs.put(path, bytes)) != nil
            return .problem(SyncRun.Problem(nsu: nsu, schema: zip.schema, code: code, message: message, path: stored ? path : nil))
        }
        guard let compressed = Data(base64Encoded: zip.zipBase64, options: .ignoreUnknownCharacters) else {
            return await problem("doczip_not_base64", "The docZip is not base64.", keep: Array(zip.zipBase64.utf8), as: "b64")
        }
        let xml: [UInt8]
        do throws(DFeParseError) { xml = try Gunzip.inflate(Array(compressed), limit: Self.maxExpandedBytes) } catch {
            return await problem("doczip_" + error.code.rawValue, error.message, keep: Array(compressed), as: "gz")
        }
        do throws(DFeParseError) { return .payload(xml, try DFeParser.parse(xml)) } catch {
            return await problem("payload_" + error.code.rawValue, error.message, keep: xml, as: "xml")
        }
    }

    private func record(
        _ d: DFeDocument, xml: [UInt8], hash: String, path: String, nsu: Int64, schema: String, context: Context, now: Date
    ) -> FiscalDocumentRecord {
        FiscalDocumentRecord(
            id: ID.make(now: now), accountId: context.run.accountId, companyId: context.company.id, syncRunId: context.run.id, docType: d.docType,
            direction: d.issuerCnpjCpf == context.company.cnpj ? .issued : .received, accessKey: d.accessKey.value, nsu: nsu, schema: schema,
            number: d.number, series: d.series, issueDate: d.issueDate, issuerCnpjCpf: d.issuerCnpjCpf,
            issuerName: d.issuerName.map { String($0.prefix(255)) },
            recipientCnpjCpf: d.recipientCnpjCpf, recipientName: d.recipientName.map { String($0.prefix(255)) }, totalValue: d.totalValue,
            status: d.status.rawValue, isSummary: d.isSummary, protocolNumber: d.protocolNumber, storageXMLPath: path,
            hashSHA256: hash, createdAt: now, updatedAt: now)
    }

    static func sha256(_ bytes: [UInt8]) -> String {
        Hex.encode(SHA256.hash(data: bytes))
    }

    /// `fiscal_event.received` for an event row just written, with its document when that is held.
    static func eventAnnouncement(_ e: FiscalEventRecord, written: FiscalEventRepository.Written) -> IntegrationEventPublisher.NewEvent {
        var object: [String: String] = [
            "eventId": written.id.lowercased, "companyId": e.companyId.lowercased, "accessKey": e.accessKey, "eventCode": e.eventCode,
            "eventType": e.eventType, "sequence": String(e.sequence), "eventDate": RFC3339.string(from: e.eventDate),
            "summary": e.isSummary ? "true" : "false",
        ]
        if let documentId = written.documentId { object["documentId"] = documentId.lowercased }
        if let protocolNumber = e.protocolNumber { object["protocolNumber"] = protocolNumber }
        return .init(
            key: "fiscal_event.received:\(written.id.lowercased):\(e.isSummary ? "summary" : "full")", type: "fiscal_event.received",
            source: "fiscalmix.sync", payloadJSON: payloadText(object))
    }

    /// The `fiscal_document.received` payload: what a subscriber needs to decide and fetch.
    static func payload(_ d: FiscalDocumentRecord, id: UUID) -> String {
        var object: [String: String] = [
            "documentId": id.lowercased, "companyId": d.companyId.lowercased, "accessKey": d.accessKey, "docType": d.docType.rawValue,
            "direction": d.direction.rawValue, "issuerCnpjCpf": d.issuerCnpjCpf, "totalValue": d.totalValue.text, "status": d.status,
            "issueDate": RFC3339.string(from: d.issueDate), "summary": d.isSummary ? "true" : "false",
        ]
        if let recipient = d.recipientCnpjCpf { object["recipientCnpjCpf"] = recipient }
        return payloadText(object)
    }

    /// Keys in camelCase (docs/api-conventions.md); the first release's snake_case keys ride
    /// along for one more release so subscribers can move over.
    static func payloadText(_ object: [String: String]) -> String {
        var both = object
        for (key, value) in object { if let previous = previousPayloadKeys[key] { both[previous] = value } }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(both)) ?? Data("{}".utf8), as: UTF8.self)
    }

    static let previousPayloadKeys = [
        "eventId": "event_id", "companyId": "company_id", "accessKey": "access_key", "eventCode": "event_code", "eventType": "event_type",
        "eventDate": "event_date", "documentId": "document_id", "protocolNumber": "protocol", "docType": "doc_type",
        "issuerCnpjCpf": "issuer_cnpj_cpf", "totalValue": "total_value", "issueDate": "issue_date", "recipientCnpjCpf": "recipient_cnpj_cpf",
    ]
}
