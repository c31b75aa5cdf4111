import FiscalMixApp
import FiscalMixDFe
import FiscalMixSefazPeer
import FiscalMixTestSupport
import Foundation
import HTTPTypes
import SQLKit
import Testing

@testable import FiscalMixDatabase
@testable import FiscalMixFiscal

/// NF-e and CT-e in one sync request: each document type walks its own service and NSU sequence
/// (NFeDistribuicaoDFe and CTeDistribuicaoDFe), and the CT-e land as CT-e — values exact,
/// cancellations applied, the fisco's 610600 registrations kept as NF-e events.
@Suite struct CTeSyncTests {
    @Test func syncsCTeAlongsideNFeEachOnItsOwnService() async throws {
        try await TestServer.run(workers: true, lane: .heavy, configure: { $0.outboundAllow = ["127.0.0.1"] }) { server in
            try await WebhookReceiver.run { receiver in
                try await SefazPeer.run(clientRoots: try FiscalSyncTests.identity().chain, clock: server.clock) { peer in
                    let s = try await FiscalSyncTests.setUp(server, peer: peer)
                    // The sync's announcements take the webhook path like any event.
                    let hook = try await server.createEndpoint(s.auth, url: receiver.url("fiscal"), eventTypes: ["fiscal_document.*"])
                    let cte = try await server.request(
                        .put, "/v1/companies/\(s.companyId)/connector-configs/CTE",
                        json: [
                            "environment": "producao", "endpoint": peer.baseURL + DistributionService.cte.path, "caBundlePem": peer.authority.caPEM,
                            "autoSync": false,
                        ], auth: s.auth)
                    #expect(cte.status == 200, "\(cte.text)")
                    var nfe = SefazFeed(recipient: FiscalSyncTests.cnpj)
                    nfe.addNFe(count: 80)
                    var freight = SefazFeed(recipient: FiscalSyncTests.cnpj)
                    freight.addCTe(count: 130)
                    peer.add(nfe.documents, for: FiscalSyncTests.cnpj, service: .nfe)
                    peer.add(freight.documents, for: FiscalSyncTests.cnpj, service: .cte)
                    #expect(nfe.events.contains { $0.hasSuffix("|610600|1") })

                    let started = try await server.request(
                        .post, "/v1/companies/\(s.companyId)/sync", json: ["docTypes": ["NFE", "CTE"]], auth: s.auth)
                    #expect(started.status == 202, "\(started.text)")
                    #expect(Set(started.items.compactMap { $0["docType"] as? String }) == ["NFE", "CTE"], "\(started.text)")
                    for item in started.items {
                        let run = try await FiscalSyncTests.waitForRun(s, try #require(item["id"] as? String))
                        #expect(run["status"] as? String == "completed", "\(run)")
                        let feed = item["docType"] as? String == "CTE" ? freight : nfe
                        #expect(run["docsFound"] as? Int == feed.documents.count && run["nsuEnd"] as? Int == Int(feed.lastNSU), "\(run)")
                    }

                    let company = try #require(UUID(uuidString: s.companyId))
                    let rows = try await server.runtime.database.query(
                        """
                        SELECT access_key, doc_type, status, CAST(total_value AS TEXT) AS v, issuer_cnpj_cpf, direction, is_summary
                        FROM fiscal_documents WHERE company_id = \(bind: company)
                        """)
                    var ctes = 0
                    for row in rows where try row.decode(column: "doc_type", as: String.self) == "CTE" {
                        ctes += 1
                        let key = try row.decode(column: "access_key", as: String.self)
                        let expected = try #require(freight.truth[key])
                        #expect(try row.decode(column: "v", as: String.self) == expected.value)
                        #expect(try row.decode(column: "status", as: String.self) == (expected.cancelled ? "cancelled" : "authorized"))
                        #expect(try row.decode(column: "issuer_cnpj_cpf", as: String.self) == expected.issuer)
                        #expect(try row.decode(column: "direction", as: String.self) == "received")
                        #expect(try row.decode(column: "is_summary", as: Bool.self) == false)
                    }
                    #expect(ctes == 130)
                    #expect(rows.count == nfe.truth.count + freight.truth.count)
                    #expect(
                        try await FiscalEventRepository(database: server.runtime.database).count(companyId: company)
                            == nfe.events.count + freight.events.count)
                    let listed = try await server.request(.get, "/v1/documents?companyId=\(s.companyId)&docType=CTE&status=cancelled", auth: s.auth)
                    #expect(listed.items.count == freight.truth.values.filter(\.cancelled).count, "\(listed.text)")
                    #expect(peer.answered656 == 0)

                    // Every stored document was announced once and delivered to the endpoint.
                    let announced = try await server.runtime.database.query(
                        """
                        SELECT COUNT(*) AS n FROM integration_events i JOIN companies c ON c.account_id = i.account_id
                        WHERE c.id = \(bind: company) AND i.event_type = 'fiscal_document.received'
                        """)
                    let count = try announced[0].decode(column: "n", as: Int.self)
                    #expect(count >= rows.count)
                    let received = try await receiver.waitFor("fiscal", count: count, timeout: .seconds(120))
                    let endpointId = try #require(UUID(uuidString: hook.id))
                    var succeeded = 0
                    for _ in 0..<100 {
                        succeeded = try await server.runtime.database.query(
                            """
                            SELECT COUNT(*) AS n FROM webhook_deliveries WHERE endpoint_id = \(bind: endpointId) AND status = 'succeeded'
                            """)[0].decode(column: "n", as: Int.self)
                        if succeeded == count { break }
                        try await Task.sleep(for: .milliseconds(100))
                    }
                    #expect(succeeded == count)
                    #expect(Set(received.compactMap { $0.header("webhook-id") }).count == count)
                    #expect(received.allSatisfy { $0.text.hasPrefix("{\"type\":\"fiscal_document.received\"") })
                }
            }
        }
    }
}
