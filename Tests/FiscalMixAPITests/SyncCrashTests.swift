import FiscalMixApp
import FiscalMixCore
import FiscalMixFiscal
import FiscalMixStorage
import FiscalMixTestSupport
import Foundation
import SQLKit
import Testing

/// A `fiscalmix worker` killed with SIGKILL in the middle of a sync: another worker takes the
/// job over when the lease runs out and resumes from the last committed NSU — every document
/// once, no gap, and the AN never sees an out-of-sequence question (no 656).
@Suite struct SyncCrashTests {
    @Test(.enabled(if: WorkerProcess.available, "needs the fiscalmix binary"))
    func aKilledWorkerResumesTheSyncWithNoGapAndNoDuplicate() async throws {
        try await TestServer.run(configure: { $0.outboundAllow = ["127.0.0.1"] }) { server in
            try await SefazPeer.run(clientRoots: try FiscalSyncTests.identity().chain, answerDelay: .milliseconds(150)) { peer in
                let s = try await FiscalSyncTests.setUp(server, peer: peer)
                var feed = SefazFeed(recipient: FiscalSyncTests.cnpj)
                feed.addNFe(count: 620)
                peer.add(feed.documents, for: FiscalSyncTests.cnpj)
                #expect(feed.documents.count >= 1_000)
                let runId = try await FiscalSyncTests.startSync(s)
                let run = try #require(UUID(uuidString: runId))
                let environment = ["FISCALMIX_JOB_LEASE_SECONDS": "2", "FISCALMIX_OUTBOUND_ALLOW": "127.0.0.1"]
                let configuration = server.runtime.configuration

                let first = try WorkerProcess.launch(configuration, environment: environment)
                let database = server.runtime.database
                func saved() async throws -> Int {
                    try await database.first("SELECT docs_saved FROM sync_runs WHERE id = \(bind: run)")!.decode(column: "docs_saved", as: Int.self)
                }
                let deadline = Date().addingTimeInterval(120)
                while try await saved() < 200, Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
                kill(first.processIdentifier, SIGKILL)
                await WorkerProcess.exit(of: first)
                let atKill = try await saved()
                #expect(atKill >= 200 && atKill < feed.truth.count, "killed after \(atKill) documents")

                let second = try WorkerProcess.launch(configuration, environment: environment)
                let finished: [String: Any]
                do { finished = try await FiscalSyncTests.waitForRun(s, runId, seconds: 180) } catch {
                    kill(second.processIdentifier, SIGKILL)
                    throw error
                }
                #expect(finished["status"] as? String == "completed", "\(finished)")
                let company = try #require(UUID(uuidString: s.companyId))
                #expect(try await FiscalDocumentRepository(database: database).count(companyId: company) == feed.truth.count)
                #expect(try await FiscalEventRepository(database: database).count(companyId: company) == feed.events.count)
                let full = try await database.first("""
                    SELECT COUNT(*) AS n FROM fiscal_documents WHERE company_id = \(bind: company) AND is_summary = \(bind: false)
                    """)!.decode(column: "n", as: Int.self)
                #expect(full == feed.truth.values.filter(\.full).count)
                #expect(finished["nsuEnd"] as? Int == Int(feed.lastNSU))
                #expect(peer.answered656 == 0 && peer.answeredStatuses.allSatisfy { $0 == 138 }, "\(peer.answeredStatuses)")
                kill(second.processIdentifier, SIGTERM)
                await WorkerProcess.exit(of: second)
            }
        }
    }
}
