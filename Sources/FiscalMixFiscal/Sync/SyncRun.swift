public import FiscalMixCore
import FiscalMixDatabase
public import Foundation

/// One DF-e distribution sync of a company and document type (docs/data-model.md `sync_runs`, flow 3.2).
/// Counters and the NSU range move with each committed batch, so a reader sees progress.
public struct SyncRun: Sendable, Equatable, Codable {
    public enum Status: String, Sendable, Codable, CaseIterable { case pending, running, completed, failed }

    /// A payload that could not be stored as a document or event; kept raw under `path`.
    public struct Problem: Sendable, Equatable, Codable {
        public var nsu: Int64
        public var schema: String
        public var code: String
        public var message: String
        public var path: String?
        public init(nsu: Int64, schema: String, code: String, message: String, path: String?) {
            self.nsu = nsu
            self.schema = schema
            self.code = code
            self.message = message
            self.path = path
        }
    }

    public var id: UUID
    public var accountId: UUID
    public var companyId: UUID
    public var docType: FiscalDocType
    public var jobId: UUID?
    public var status: Status
    /// When the run started; nil while it is pending.
    public var startedAt: Date?
    /// When a pending run will start (nil: as soon as a worker takes it).
    public var scheduledFor: Date?
    /// Why a pending run waits: `an_quiet_hour` (the AN asked for an hour's pause).
    public var waitingReason: String?
    public var finishedAt: Date?
    public var nsuStart: Int64?
    public var nsuEnd: Int64?
    public var maxNSU: Int64?
    public var docsFound: Int
    public var docsSaved: Int
    public var eventsSaved: Int
    /// Payloads kept raw, and the reason the run stopped when it failed.
    public var problems: [Problem]
    public var failure: String?
    /// The last cStat the distribution service answered.
    public var lastStatusCode: Int?
    public var createdAt: Date
    public var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, accountId, companyId, docType, jobId, status, startedAt, scheduledFor, waitingReason, finishedAt, nsuStart, nsuEnd, maxNSU = "maxNsu"
        case docsFound, docsSaved, eventsSaved, problems, failure, lastStatusCode, createdAt, updatedAt
    }

    public init(
        id: UUID, accountId: UUID, companyId: UUID, docType: FiscalDocType, jobId: UUID?, status: Status, startedAt: Date?, scheduledFor: Date? = nil, waitingReason: String? = nil,
        finishedAt: Date? = nil, nsuStart: Int64? = nil, nsuEnd: Int64? = nil, maxNSU: Int64? = nil, docsFound: Int = 0,
        docsSaved: Int = 0, eventsSaved: Int = 0, problems: [Problem] = [], failure: String? = nil, lastStatusCode: Int? = nil,
        createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.accountId = accountId
        self.companyId = companyId
        self.docType = docType
        self.jobId = jobId
        self.status = status
        self.startedAt = startedAt
        self.scheduledFor = scheduledFor
        self.waitingReason = waitingReason
        self.finishedAt = finishedAt
        self.nsuStart = nsuStart
        self.nsuEnd = nsuEnd
        self.maxNSU = maxNSU
        self.docsFound = docsFound
        self.docsSaved = docsSaved
        self.eventsSaved = eventsSaved
        self.problems = problems
        self.failure = failure
        self.lastStatusCode = lastStatusCode
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// Where the distribution sequence of a company, document type and environment stands: the last
/// committed `ultNSU` and the earliest moment the AN may be asked again (docs/sefaz.md, "Distribution").
public struct SyncCursor: Sendable, Equatable {
    public var companyId: UUID
    public var docType: FiscalDocType
    public var environment: Int
    public var lastNSU: Int64
    public var maxNSU: Int64
    public var nextAllowedAt: Date?
    public init(companyId: UUID, docType: FiscalDocType, environment: Int, lastNSU: Int64 = 0, maxNSU: Int64 = 0, nextAllowedAt: Date? = nil) {
        self.companyId = companyId
        self.docType = docType
        self.environment = environment
        self.lastNSU = lastNSU
        self.maxNSU = maxNSU
        self.nextAllowedAt = nextAllowedAt
    }
}
