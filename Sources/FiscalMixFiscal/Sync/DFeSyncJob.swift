public import FiscalMixCore
import FiscalMixDFe
public import FiscalMixDatabase
import FiscalMixEventLog
import FiscalMixIdentity
import FiscalMixJSON
public import FiscalMixJobs
import FiscalMixOutbound
import Foundation
public import Logging

/// The `fiscal.sync` job: the distribution loop of docs/sefaz.md for one run. It asks from the last committed
/// `ultNSU`, always sends back the `ultNSU` it was given, stores each answer with the cursor in
/// one transaction, and stops at 137 or when `ultNSU == maxNSU`, leaving the next ask at least an
/// hour away. Handlers are at-least-once: re-running a run re-asks from the committed cursor.
public struct DFeSyncJob: Sendable {
    let database: Database
    let service: DFeSyncService
    let client: SefazDistributionClient
    let blobs: any BlobStore
    let clock: any WallClock
    let logger: Logger
    /// Distribution calls one run makes at most (50 documents each); a longer backlog continues
    /// in the next run, which the dispatcher starts right away since the run was not caught up.
    var maxCallsPerRun = 400
    /// Rows written in a run before the first statistics refresh.
    static let firstAnalyze = 500

    public init(
        database: Database, service: DFeSyncService, client: SefazDistributionClient, blobs: any BlobStore, clock: any WallClock,
        logger: Logger
    ) {
        self.database = database
        self.service = service
        self.client = client
        self.blobs = blobs
        self.clock = clock
        self.logger = logger
    }

    public var definition: JobDefinition {
        JobDefinition(type: DFeSyncService.jobType, maxAttempts: 10, timeout: .seconds(3600), retry: .default) { context in
            try await run(payload: context.payload)
        }
    }

    struct Stop: Error {
        var status: SyncRun.Status
        var code: Int?
        var failure: String?
    }

    func run(payload: String?) async throws {
        guard let text = payload.flatMap({ try? JSON(parsing: $0) })?["sync_run_id"]?.stringValue, let runId = UUID(uuidString: text) else {
            throw JobFailure.doNotRetry(message: "payload must name sync_run_id")
        }
        let runs = SyncRunRepository(database: database)
        guard let run = try await runs.find(id: runId), run.status == .pending || run.status == .running else { return }
        guard let company = try await service.companies.company(id: run.companyId, accountId: run.accountId) else {
            try await runs.finish(id: run.id, status: .failed, statusCode: nil, failure: "the company no longer exists", now: clock.now())
            return
        }
        let config = try await service.configuration(companyId: company.id, docType: run.docType)
        var cursor = try await runs.cursor(companyId: company.id, docType: run.docType, environment: config.environment.code)
        if let next = cursor.nextAllowedAt, next > clock.now() {
            // Asking now would be "consumo indevido": come back when the hour is over.
            throw JobFailure.retryAfter(next.timeIntervalSince(clock.now()) + 1, message: "waiting for the AN's quiet hour")
        }
        do {
            try await walk(run: run, company: company, config: config, cursor: &cursor)
        } catch let stop as Stop {
            try await runs.finish(id: run.id, status: stop.status, statusCode: stop.code, failure: stop.failure, now: clock.now())
        } catch {
            // Not an answer from the AN (TLS refused, certificate unusable, network): the run
            // fails with the reason; the next scheduled sync tries again from the same cursor.
            let reason = Self.describe(error)
            try await runs.finish(id: run.id, status: .failed, statusCode: nil, failure: reason, now: clock.now())
            try? await EventLog(database: database).insert(
                EventLogEntry(
                    accountId: run.accountId, severity: .error, type: "sync.failed", message: reason,
                    data: ["sync_run_id": run.id.lowercased, "company_id": company.id.lowercased, "doc_type": run.docType.rawValue],
                    correlationId: run.id.lowercased, createdAt: clock.now()))
            throw JobFailure.doNotRetry(message: reason)
        }
    }

    private func walk(run: SyncRun, company: Company, config: ConnectorConfig, cursor: inout SyncCursor) async throws {
        let runs = SyncRunRepository(database: database)
        let identity = try await service.certificates.identity(companyId: company.id, accountId: company.accountId)
        let tls = try SefazDistributionClient.tlsConfiguration(identity: identity, trustRootsPEM: config.caBundlePEM)
        let distribution: DistributionService = run.docType == .CTE ? .cte : .nfe
        let endpoint = config.endpoint ?? distribution.endpoint(production: config.environment == .producao)
        let context = OutboundContext(
            accountId: company.accountId, policyKey: "sefaz:\(company.cnpj):\(config.environment.code)",
            requestId: run.id.lowercased)
        let writer = DFeBatchWriter(database: database, blobs: blobs, clock: clock)
        try await runs.markRunning(id: run.id, nsuStart: cursor.lastNSU, now: clock.now())
        var written = 0, analyzeAt = Self.firstAnalyze
        for _ in 0..<maxCallsPerRun {
            let request = DistributionRequest(
                service: distribution, environment: config.environment.code, ufCode: company.uf.ibgeCode,
                cnpj: company.cnpj, query: .after(nsu: cursor.lastNSU))
            let answer = try await client.call(request, endpoint: endpoint, tls: tls, policy: Policy(), context: context)
            let now = clock.now()
            switch answer.statusCode {
            case 138:
                cursor.lastNSU = answer.lastNSU
                cursor.maxNSU = answer.maxNSU
                let caughtUp = answer.lastNSU >= answer.maxNSU
                cursor.nextAllowedAt = caughtUp ? now.addingTimeInterval(DFeSyncService.quietPeriod) : nil
                let outcome = try await writer.store(
                    answer, context: .init(run: run, company: company, autoCiencia: config.autoCiencia),
                    cursor: cursor)
                written += outcome.saved + outcome.events
                if written >= analyzeAt {
                    // A big first sync outgrows the planner's statistics (Database.refreshStatistics):
                    // refreshed at 500, 2,000, 8,000 … rows, a handful of times per run at most.
                    analyzeAt *= 4
                    try await database.refreshStatistics(["fiscal_documents", "fiscal_events"])
                }
                if caughtUp { throw Stop(status: .completed, code: 138) }
            case 137, 589:
                // Nothing more (589: we are ahead of the AN's base; take its maximum).
                cursor.lastNSU = answer.statusCode == 589 ? max(answer.maxNSU, answer.lastNSU) : max(answer.lastNSU, cursor.lastNSU)
                cursor.maxNSU = answer.maxNSU
                cursor.nextAllowedAt = now.addingTimeInterval(DFeSyncService.quietPeriod)
                try await commit(cursor, run: run, statusCode: answer.statusCode)
                throw Stop(status: .completed, code: answer.statusCode)
            case 656:
                if answer.lastNSU != 0 { cursor.lastNSU = answer.lastNSU }
                cursor.nextAllowedAt = now.addingTimeInterval(DFeSyncService.quietPeriod)
                try await commit(cursor, run: run, statusCode: 656)
                try await EventLog(database: database).insert(
                    EventLogEntry(
                        accountId: run.accountId, severity: .warning, type: "sync.consumo_indevido",
                        message: "The AN answered 656 (\(answer.reason)); the next sync waits an hour.",
                        data: ["sync_run_id": run.id.lowercased, "company_id": company.id.lowercased, "cnpj": company.cnpj],
                        correlationId: run.id.lowercased, createdAt: now))
                throw Stop(status: .failed, code: 656, failure: "656: \(answer.reason)")
            case 108, 109:
                cursor.nextAllowedAt = now.addingTimeInterval(DFeSyncService.quietPeriod)
                try await commit(cursor, run: run, statusCode: answer.statusCode)
                throw Stop(status: .failed, code: answer.statusCode, failure: "\(answer.statusCode): \(answer.reason)")
            default:
                throw Stop(status: .failed, code: answer.statusCode, failure: "\(answer.statusCode): \(answer.reason)")
            }
        }
        throw Stop(status: .completed, code: 138)
    }

    private func commit(_ cursor: SyncCursor, run: SyncRun, statusCode: Int) async throws {
        let runs = SyncRunRepository(database: database)
        let now = clock.now()
        try await database.transaction { tx in
            try await runs.recordBatch(
                id: run.id, found: 0, saved: 0, events: 0, nsuEnd: cursor.lastNSU, maxNSU: cursor.maxNSU,
                statusCode: statusCode, problems: [], now: now, in: tx)
            try await runs.save(cursor, now: now, in: tx)
        }
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? any ClientFacingError { return "\(error.publicCode): \(error.message)" }
        return String(describing: error)
    }
}
