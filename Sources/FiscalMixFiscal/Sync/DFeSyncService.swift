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
        var run = SyncRun(
            id: ID.make(now: now), accountId: company.accountId, companyId: company.id, docType: docType, jobId: nil,
            status: .pending, startedAt: now, createdAt: now, updatedAt: now)
        let job = NewJob(
            type: Self.jobType, queue: "default", accountId: company.accountId, payload: #"{"sync_run_id":"\#(run.id.lowercased)"}"#,
            runAt: cursor.nextAllowedAt.map { max($0, now) }, maxAttempts: 10, idempotencyKey: "sync:\(run.id.lowercased)",
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
        if let config = try await configs.find(companyId: companyId, docType: docType) { return config }
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
                if try await runs.active(companyId: company.id, docType: type) != nil { continue }
                _ = try await ensureRun(company: company, docType: type)
                started += 1
            }
        }
        return started
    }
}
