public import Foundation

/// A stored fiscal document (docs/data-model.md `fiscal_documents`): one row per access key and company,
/// a summary (resNFe) until the full authorised XML arrives and replaces it.
public struct FiscalDocumentRecord: Sendable, Equatable, Encodable {
    public enum Direction: String, Sendable, Codable, CaseIterable { case issued, received }

    public var id: UUID
    public var accountId: UUID
    public var companyId: UUID
    public var syncRunId: UUID?
    public var docType: FiscalDocType
    public var direction: Direction
    public var accessKey: String
    public var nsu: Int64?
    /// The `schema` attribute of the docZip it came in (e.g. `procNFe_v4.00.xsd`).
    public var schema: String?
    public var number: Int64
    public var series: Int?
    public var issueDate: Date
    public var issuerCnpjCpf: String
    public var issuerName: String?
    public var recipientCnpjCpf: String?
    public var recipientName: String?
    public var totalValue: DecimalAmount
    /// authorized, denied or cancelled.
    public var status: String
    /// True while only the summary is held.
    public var isSummary: Bool
    public var protocolNumber: String?
    public var storageXMLPath: String
    public var hashSHA256: String
    public var createdAt: Date
    public var updatedAt: Date

    /// The public names (docs/api-conventions.md): acronyms as words; where the XML is stored
    /// is not the client's business (the download routes are).
    enum CodingKeys: String, CodingKey {
        case id, accountId, companyId, syncRunId, docType, direction, accessKey, nsu, schema, number, series, issueDate
        case issuerCnpjCpf, issuerName, recipientCnpjCpf, recipientName, totalValue, status, isSummary, protocolNumber
        case hashSHA256 = "hashSha256", createdAt, updatedAt
    }

    public init(
        id: UUID, accountId: UUID, companyId: UUID, syncRunId: UUID?, docType: FiscalDocType, direction: Direction,
        accessKey: String, nsu: Int64?, schema: String?, number: Int64, series: Int?, issueDate: Date, issuerCnpjCpf: String,
        issuerName: String?, recipientCnpjCpf: String?, recipientName: String?, totalValue: DecimalAmount, status: String,
        isSummary: Bool, protocolNumber: String?, storageXMLPath: String, hashSHA256: String, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.accountId = accountId
        self.companyId = companyId
        self.syncRunId = syncRunId
        self.docType = docType
        self.direction = direction
        self.accessKey = accessKey
        self.nsu = nsu
        self.schema = schema
        self.number = number
        self.series = series
        self.issueDate = issueDate
        self.issuerCnpjCpf = issuerCnpjCpf
        self.issuerName = issuerName
        self.recipientCnpjCpf = recipientCnpjCpf
        self.recipientName = recipientName
        self.totalValue = totalValue
        self.status = status
        self.isSummary = isSummary
        self.protocolNumber = protocolNumber
        self.storageXMLPath = storageXMLPath
        self.hashSHA256 = hashSHA256
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// A stored fiscal event (docs/data-model.md `fiscal_events`). Linked to its document by access key; an
/// event may arrive before its document (or about a document the company never receives), so
/// the link is filled in when the document arrives.
public struct FiscalEventRecord: Sendable, Equatable, Encodable {
    public var id: UUID
    public var accountId: UUID
    public var companyId: UUID
    public var documentId: UUID?
    public var accessKey: String
    public var eventType: String
    public var eventCode: String
    public var sequence: Int
    public var eventDate: Date
    public var protocolNumber: String?
    public var description: String?
    public var authorCnpjCpf: String?
    public var isSummary: Bool
    public var nsu: Int64?
    public var storageXMLPath: String?
    public var hashSHA256: String?
    public var createdAt: Date

    enum CodingKeys: String, CodingKey {
        case id, accountId, companyId, documentId, accessKey, eventType, eventCode, sequence, eventDate, protocolNumber
        case description, authorCnpjCpf, isSummary, nsu, hashSHA256 = "hashSha256", createdAt
    }

    public init(
        id: UUID, accountId: UUID, companyId: UUID, documentId: UUID?, accessKey: String, eventType: String, eventCode: String,
        sequence: Int, eventDate: Date, protocolNumber: String?, description: String?, authorCnpjCpf: String?, isSummary: Bool,
        nsu: Int64?, storageXMLPath: String?, hashSHA256: String?, createdAt: Date
    ) {
        self.id = id
        self.accountId = accountId
        self.companyId = companyId
        self.documentId = documentId
        self.accessKey = accessKey
        self.eventType = eventType
        self.eventCode = eventCode
        self.sequence = sequence
        self.eventDate = eventDate
        self.protocolNumber = protocolNumber
        self.description = description
        self.authorCnpjCpf = authorCnpjCpf
        self.isSummary = isSummary
        self.nsu = nsu
        self.storageXMLPath = storageXMLPath
        self.hashSHA256 = hashSHA256
        self.createdAt = createdAt
    }
}
