import FiscalMixAPI
import FiscalMixApp
import FiscalMixConformance
import FiscalMixCore
import FiscalMixDFe
import FiscalMixSefazPeer
import FiscalMixTestSupport
import FiscalMixTestTraits
import Foundation
import HTTPTypes
import SQLKit
import Testing

@testable import FiscalMixDatabase
@testable import FiscalMixFiscal

/// One run at a time per company and type, written together with its job; a run whose job died,
/// or that has none, never blocks the company.
extension FiscalSyncTests {
    /// One sync at a time per company and type: a second request answers the pending run; a run
    /// whose job died without closing it is closed and replaced, so it cannot block syncs for ever.
    @Test func oneRunAtATimeAndADeadJobDoesNotBlock() async throws {
        try await TestServer.run(lane: .heavy) { server in
            try await SefazPeer.run(clientRoots: try Self.identity().chain, clock: server.clock) { peer in
                let s = try await Self.setUp(server, peer: peer)
                let first = try await Self.startSync(s)
                #expect(try await Self.startSync(s) == first)
                let run = try await server.request(.get, "/v1/sync-runs/\(first)", auth: s.auth).json
                let jobText = try #require(run["jobId"] as? String)
                let jobId = try #require(UUID(uuidString: jobText))
                try await server.runtime.database.execute("UPDATE jobs SET status = 'dead' WHERE id = \(bind: jobId)")
                let second = try await Self.startSync(s)
                #expect(second != first)
                let closed = try await server.request(.get, "/v1/sync-runs/\(first)", auth: s.auth).json
                #expect(closed["status"] as? String == "failed" && (closed["failure"] as? String)?.contains("dead") == true)
                let listed = try await server.request(.get, "/v1/companies/\(s.companyId)/sync-runs", auth: s.auth).items
                #expect(listed.compactMap { $0["id"] as? String } == [second, first])
            }
        }
    }

    /// A database left as a start interrupted between its steps left it (before the run and its
    /// job were one transaction): a pending run with no job. It is closed and the company syncs
    /// again, instead of every request answering the jobless run for ever.
    @Test func aRunLeftWithoutAJobDoesNotBlockTheCompany() async throws {
        try await TestServer.run { server in
            try await SefazPeer.run(clientRoots: try Self.identity().chain, clock: server.clock) { peer in
                let s = try await Self.setUp(server, peer: peer)
                let company = try #require(UUID(uuidString: s.companyId))
                let orphan = SyncRun(
                    id: ID.make(), accountId: s.accountId, companyId: company, docType: .NFE, jobId: nil, status: .pending,
                    startedAt: nil, createdAt: server.clock.now(), updatedAt: server.clock.now())
                try await server.runtime.database.transaction { tx in
                    try await SyncRunRepository(database: server.runtime.database).insert(orphan, environment: 1, in: tx)
                }
                let started = try await Self.startSync(s)
                #expect(started != orphan.id.lowercased && started.uppercased() != orphan.id.uuidString)
                let run = try await server.request(.get, "/v1/sync-runs/\(started)", auth: s.auth).json
                #expect(run["jobId"] is String, "\(run)")
                let closed = try await server.request(.get, "/v1/sync-runs/\(orphan.id.lowercased)", auth: s.auth).json
                #expect(closed["status"] as? String == "failed" && (closed["failure"] as? String)?.contains("no job") == true, "\(closed)")
            }
        }
    }

    /// A sync run and its job are written together or not at all: with the job's insert failing
    /// (a trigger injects the failure where a killed process once stopped between the two), the
    /// request fails and leaves no run behind; once the fault is gone the company syncs.
    @Test func aRunAndItsJobAreWrittenTogetherOrNotAtAll() async throws {
        try await TestServer.run { server in
            try await SefazPeer.run(clientRoots: try Self.identity().chain, clock: server.clock) { peer in
                let s = try await Self.setUp(server, peer: peer)
                let database = server.runtime.database
                switch database.dialect {
                case .sqlite:
                    try await database.execute(
                        """
                        CREATE TRIGGER inject_job_fault BEFORE INSERT ON jobs WHEN NEW.type = 'fiscal.sync'
                        BEGIN SELECT RAISE(ABORT, 'injected fault'); END
                        """)
                case .postgres:
                    try await database.execute(
                        """
                        CREATE FUNCTION inject_job_fault() RETURNS trigger LANGUAGE plpgsql AS $$
                        BEGIN IF NEW.type = 'fiscal.sync' THEN RAISE EXCEPTION 'injected fault'; END IF; RETURN NEW; END $$
                        """)
                    try await database.execute(
                        "CREATE TRIGGER inject_job_fault BEFORE INSERT ON jobs FOR EACH ROW EXECUTE FUNCTION inject_job_fault()")
                }
                let refused = try await s.server.request(.post, "/v1/companies/\(s.companyId)/sync", json: ["docTypes": ["NFE"]], auth: s.auth)
                #expect(refused.status == 500, "\(refused.text)")
                #expect(try await database.query("SELECT id FROM sync_runs").isEmpty, "a run was left without its job")
                #expect(try await database.query("SELECT id FROM jobs WHERE type = 'fiscal.sync'").isEmpty)

                try await database.execute(database.dialect == .sqlite ? "DROP TRIGGER inject_job_fault" : "DROP TRIGGER inject_job_fault ON jobs")
                let started = try await Self.startSync(s)
                let run = try await server.request(.get, "/v1/sync-runs/\(started)", auth: s.auth).json
                let jobText = try #require(run["jobId"] as? String)
                let jobId = try #require(UUID(uuidString: jobText))
                #expect(try await database.query("SELECT id FROM jobs WHERE id = \(bind: jobId)").count == 1)
            }
        }
    }

    /// A scheduled sync that keeps failing backs off (5 min, 10 min … at most 6 h) instead of
    /// failing every five minutes, and the company's sync status says why it waits.
    @Test func failingScheduledSyncsBackOff() async throws {
        try await TestServer.run(workers: true, lane: .heavy, configure: { $0.outboundAllow = ["127.0.0.1"] }) { server in
            try await SefazPeer.run(clientRoots: try Self.identity().chain, clock: server.clock) { peer in
                let s = try await Self.setUp(server, peer: peer)
                // NF-e pointed at a port nothing listens on; CT-e left to the defaults, switched off.
                for (type, body) in [
                    ("NFE", ["endpoint": "https://127.0.0.1:1/NFeDistribuicaoDFe", "autoSync": true] as [String: Any]),
                    ("CTE", ["autoSync": false]),
                ] {
                    let put = try await server.request(.put, "/v1/companies/\(s.companyId)/connector-configs/\(type)", json: body, auth: s.auth)
                    #expect(put.status == 200, "\(put.text)")
                }
                let sync = server.runtime.services.sync
                func failedRuns() async throws -> Int {
                    try await server.request(.get, "/v1/companies/\(s.companyId)/sync-runs?limit=50", auth: s.auth).items
                        .filter { $0["status"] as? String == "failed" }.count
                }
                func dispatchAndWaitForFailure(_ expected: Int) async throws {
                    #expect(try await sync.dispatchScheduled() == 1)
                    let deadline = Date().addingTimeInterval(30)
                    while try await failedRuns() < expected, Date() < deadline { try await Task.sleep(for: .milliseconds(100)) }
                    #expect(try await failedRuns() == expected)
                }
                try await dispatchAndWaitForFailure(1)
                #expect(try await sync.dispatchScheduled() == 0)  // backing off, not failing every five minutes
                var status = try await server.request(.get, "/v1/companies/\(s.companyId)/sync-status", auth: s.auth).items
                let nfe = try #require(status.first { $0["docType"] as? String == "NFE" })
                #expect(nfe["waitingReason"] as? String == "backing_off" && nfe["consecutiveFailures"] as? Int == 1, "\(nfe)")
                #expect(nfe["lastFailure"] is String && nfe["nextScheduledAt"] is String)
                #expect(status.first { $0["docType"] as? String == "CTE" }?["waitingReason"] as? String == "auto_sync_off")
                server.clock.advance(by: DFeSyncService.backoff(afterFailures: 1) + 1)
                try await dispatchAndWaitForFailure(2)
                server.clock.advance(by: DFeSyncService.backoff(afterFailures: 1) + 1)
                #expect(try await sync.dispatchScheduled() == 0)  // the second failure waits twice as long
                status = try await server.request(.get, "/v1/companies/\(s.companyId)/sync-status", auth: s.auth).items
                #expect(status.first { $0["docType"] as? String == "NFE" }?["consecutiveFailures"] as? Int == 2)
                #expect(DFeSyncService.backoff(afterFailures: 2) == 600 && DFeSyncService.backoff(afterFailures: 12) == 6 * 3600)
                // A sync asked for by hand is not held back.
                #expect(try await server.request(.post, "/v1/companies/\(s.companyId)/sync", json: ["docTypes": ["NFE"]], auth: s.auth).status == 202)
            }
        }
    }
}
