public import FiscalMixCore
import FiscalMixDFe
public import FiscalMixDatabase
public import FiscalMixIdentity
public import FiscalMixJobs
public import Foundation
public import Logging

/// DF-e sync by NSU (flow 3.2): a sync is a `sync_runs` row and a durable `fiscal.sync` job that
/// walks the company's distribution sequence from its last committed `ultNSU` (`DFeSyncJob`).
public struct DFeSyncService: Sendable {
    public static let jobType = "fiscal.sync"
    public static let dispatchJobType = "fiscal.sync.dispatch"
    /// The AN's "wait at least an hour" (docs/sefaz.md, "Distribution"), with a minute of margin for clocks.
    public static let quietPeriod: TimeInterval = 61 * 60
    /// Document types that have a distribution service.
    public static let distributable: [FiscalDocType] = [.NFE, .CTE]

    let database: Database
    let runs: SyncRunRepository
    let configs: ConnectorConfigRepository
    let companies: CompanyService
    let certificates: CertificateService
    let queue: JobQueue
    let clock: any WallClock
    let logger: Logger

    public init(
        database: Database, companies: CompanyService, certificates: CertificateService, queue: JobQueue, clock: any WallClock,
        logger: Logger
    ) {
        self.database = database
        runs = SyncRunRepository(database: database)
        configs = ConnectorConfigRepository(database: database)
        self.companies = companies
        self.certificates = certificates
        self.queue = queue
        self.clock = clock
        self.logger = logger
    }

    /// `POST /v1/companies/{id}/sync`: one run per document type. A type that already has a
    /// pending or running run answers that run (one sync at a time per company, type and
    /// environment); a new run waits for the AN's quiet hour when one is in force.
    public func start(_ principal: Principal, companyId: UUID, docTypes: [FiscalDocType]) async throws -> [SyncRun] {
        let company = try await companies.authorize(principal, companyId: companyId, needs: .operator, scope: .syncRun)
        guard !docTypes.isEmpty else { throw FiscalMixError.validation("docTypes", "Name at least one document type (NFE, CTE).") }
        for type in docTypes where !Self.distributable.contains(type) {
            throw FiscalError(
                .unprocessable, .docTypeNotDistributable, "\(type.rawValue) has no distribution service; only NFE and CTE are synced by NSU.")
        }
        guard try await certificates.hasCurrent(companyId: company.id, accountId: company.accountId) else {
            throw FiscalError(.unprocessable, .noActiveCertificate, "The company has no active A1 certificate valid now; upload one first.")
        }
        var started: [SyncRun] = []
        for type in Self.orderedUnique(docTypes) {
            started.append(try await ensureRun(company: company, docType: type))
        }
        return started
    }

    static func orderedUnique(_ types: [FiscalDocType]) -> [FiscalDocType] {
        var seen = Set<FiscalDocType>()
        return types.filter { seen.insert($0).inserted }
    }

    /// The pending or running run of this company and type, or a new one with its job.
    func ensureRun(company: Company, docType: FiscalDocType) async throws -> SyncRun {
        if let active = try await runs.active(companyId: company.id, docType: docType) {
            // A run whose job ended without closing it (dead after repeated crashes, cancelled by
            // an operator) must not block the company's syncs for ever: close it and start anew.
            // So must a run with no job at all, which a start interrupted between its steps left
            // before the run and its job were written in one transaction.
            let failure: String
            if let jobId = active.jobId {
                guard let status = try await queue.status(of: jobId), [.dead, .failed, .cancelled].contains(status) else { return active }
                failure = "its job ended as \(status.rawValue)"
            } else {
                failure = "it had no job (its start was interrupted)"
            }
            try await runs.finish(id: active.id, status: .failed, statusCode: nil, failure: failure, now: clock.now())
        }
        let config = try await configuration(companyId: company.id, docType: docType)
        let cursor = try await runs.cursor(companyId: company.id, docType: docType, environment: config.environment.code)
        let now = clock.now()
        let quietUntil = cursor.nextAllowedAt.flatMap { $0 > now ? $0 : nil }
        var run = SyncRun(
            id: ID.make(now: now), accountId: company.accountId, companyId: company.id, docType: docType, jobId: nil,
            status: .pending, startedAt: nil, scheduledFor: quietUntil, waitingReason: quietUntil == nil ? nil : "an_quiet_hour",
            createdAt: now, updatedAt: now)
        let job = NewJob(
            type: Self.jobType, queue: "default", accountId: company.accountId, payload: #"{"sync_run_id":"\#(run.id.lowercased)"}"#,
            runAt: quietUntil, maxAttempts: 10, idempotencyKey: "sync:\(run.id.lowercased)",
            correlationId: run.id.lowercased)
        // The run and its job are one transaction: a process killed between them once left a
        // pending run with no job, which blocked every later sync of the company.
        let enqueued: (job: Job, created: Bool)
        do {
            enqueued = try await database.transaction { [runs, queue, run] tx in
                try await runs.insert(run, environment: config.environment.code, in: tx)
                let enqueued = try await queue.enqueue(job, in: tx)
                try await runs.setJob(id: run.id, jobId: enqueued.job.id, in: tx)
                return enqueued
            }
        } catch  where database.isUniqueViolation(error) {
            // Another request won the race; answer its run.
            if let active = try await runs.active(companyId: company.id, docType: docType) { return active }
            throw error
        }
        queue.announce(enqueued)
        run.jobId = enqueued.job.id
        return run
    }

    /// The company's configuration for a type, or the defaults (production, the AN's URL, scheduled sync on).
    func configuration(companyId: UUID, docType: FiscalDocType) async throws -> ConnectorConfig {
        try await configs.find(companyId: companyId, docType: docType) ?? defaultConfiguration(companyId: companyId, docType: docType)
    }

    func defaultConfiguration(companyId: UUID, docType: FiscalDocType) -> ConnectorConfig {
        let now = clock.now()
        return ConnectorConfig(id: ID.make(now: now), companyId: companyId, docType: docType, createdAt: now, updatedAt: now)
    }

    public func get(_ principal: Principal, runId: UUID) async throws -> SyncRun {
        guard let run = try await runs.find(id: runId, accountId: principal.accountId) else { throw FiscalMixError.notFound("Sync run") }
        try await companies.authorize(principal, companyId: run.companyId, needs: .viewer, scope: .documentsRead)
        return run
    }

    public func list(_ principal: Principal, companyId: UUID, page: PageRequest) async throws -> Page<SyncRun> {
        try await companies.authorize(principal, companyId: companyId, needs: .viewer, scope: .documentsRead)
        return try await runs.list(companyId: companyId, accountId: principal.accountId, page: page)
    }

    /// The scheduled sync: every active company with a current certificate gets a run per
    /// distributable type whose configuration keeps scheduled sync on and whose quiet hour is
    /// over. Safe to run in many processes (one active run per company and type).
    public func dispatchScheduled() async throws -> Int {
        let now = clock.now()
        var started = 0
        for company in try await companies.activeCompanies(ids: try await certificates.certificates.companiesWithCurrentA1(now: now)) {
            for type in Self.distributable {
                let config = try await configuration(companyId: company.id, docType: type)
                guard config.autoSync, config.status == .active else { continue }
                let cursor = try await runs.cursor(companyId: company.id, docType: type, environment: config.environment.code)
                if let next = cursor.nextAllowedAt, next > now { continue }
                if let until = try await backoffUntil(companyId: company.id, docType: type), until > now { continue }
                if try await runs.active(companyId: company.id, docType: type) != nil { continue }
                _ = try await ensureRun(company: company, docType: type)
                started += 1
            }
        }
        return started
    }

    /// How often the scheduled dispatch looks for due syncs (`fiscal.sync.dispatch`).
    public static let dispatchInterval: TimeInterval = 5 * 60
    /// The longest a failing scheduled sync waits before trying again.
    public static let longestBackoff: TimeInterval = 6 * 3600

    /// After failed runs in a row, the scheduled dispatch waits: one dispatch interval after the
    /// first failure, doubling with each further one, at most six hours — a broken configuration
    /// does not produce a run every five minutes. A sync asked for by hand is not held back.
    public static func backoff(afterFailures count: Int) -> TimeInterval {
        guard count > 0 else { return 0 }
        return min(dispatchInterval * pow(2, Double(min(count, 16) - 1)), longestBackoff)
    }

    func backoffUntil(companyId: UUID, docType: FiscalDocType) async throws -> Date? {
        let failures = try await runs.consecutiveFailures(companyId: companyId, docType: docType)
        guard failures.count > 0, let last = failures.lastFinishedAt else { return nil }
        return last.addingTimeInterval(Self.backoff(afterFailures: failures.count))
    }

    /// `GET /v1/companies/{id}/sync-status`: per distributable type, whether and when the
    /// scheduled sync will run next, and why it waits.
    public func status(_ principal: Principal, companyId: UUID) async throws -> [SyncStatus] {
        let company = try await companies.authorize(principal, companyId: companyId, needs: .viewer, scope: .documentsRead)
        let now = clock.now()
        let certified = try await certificates.hasCurrent(companyId: company.id, accountId: company.accountId)
        var statuses: [SyncStatus] = []
        for type in Self.distributable {
            let configured = try await configs.find(companyId: company.id, docType: type)
            let config = configured ?? defaultConfiguration(companyId: company.id, docType: type)
            let cursor = try await runs.cursor(companyId: company.id, docType: type, environment: config.environment.code)
            let failures = try await runs.consecutiveFailures(companyId: company.id, docType: type)
            let backoff = try await backoffUntil(companyId: company.id, docType: type)
            let active = try await runs.active(companyId: company.id, docType: type)
            var latest = active
            if latest == nil { latest = try await runs.latest(companyId: company.id, docType: type) }
            var status = SyncStatus(
                docType: type, configured: configured != nil, autoSync: config.autoSync && config.status == .active,
                environment: config.environment, lastRun: latest, consecutiveFailures: failures.count, lastFailure: failures.failure)
            if let active, active.status == .running {
                status.waitingReason = "running"
            } else if let active {
                status.waitingReason = active.waitingReason ?? "queued"
                status.nextScheduledAt = active.scheduledFor
            } else if !status.autoSync {
                status.waitingReason = "auto_sync_off"
            } else if !certified {
                status.waitingReason = "no_certificate"
            } else if let quiet = cursor.nextAllowedAt, quiet > now, quiet >= (backoff ?? .distantPast) {
                status.waitingReason = "an_quiet_hour"
                status.nextScheduledAt = quiet
            } else if let backoff, backoff > now {
                status.waitingReason = "backing_off"
                status.nextScheduledAt = backoff
            }
            statuses.append(status)
        }
        return statuses
    }
}

/// Where a company's scheduled sync of one document type stands.
public struct SyncStatus: Sendable, Encodable {
    public var docType: FiscalDocType
    /// Whether a connector configuration exists (without one the defaults apply: production,
    /// the AN's address, scheduled sync on).
    public var configured: Bool
    public var autoSync: Bool
    public var environment: ConnectorConfig.Environment
    public var lastRun: SyncRun?
    /// Failed runs in a row (the last runs that ended).
    public var consecutiveFailures: Int
    public var lastFailure: String?
    /// When the next run is due; nil: at the next dispatch (within five minutes) when
    /// `waitingReason` is nil too.
    public var nextScheduledAt: Date?
    /// `running`, `queued`, `an_quiet_hour`, `backing_off`, `auto_sync_off`, `no_certificate`, or
    /// nil when nothing holds the next scheduled run back.
    public var waitingReason: String?
}
