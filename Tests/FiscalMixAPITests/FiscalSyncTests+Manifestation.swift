import FiscalMixAPI
import FiscalMixApp
import FiscalMixConformance
import FiscalMixCore
import FiscalMixDFe
import FiscalMixFiscal
import FiscalMixSefazPeer
import FiscalMixTestSupport
import FiscalMixTestTraits
import Foundation
import HTTPTypes
import SQLKit
import Testing

@testable import FiscalMixDatabase
@testable import FiscalMixFiscal
@testable import FiscalMixWebhooks

/// Manifestação: a ciência (by request or automatic) releases the full XML on the next sync.
extension FiscalSyncTests {
    /// resNFe → ciência (signed with the company's A1, verified by the peer) → the full procNFe
    /// arrives on the next sync and upgrades the summary; the AN's rules on repeats and
    /// justifications hold.
    @Test func cienciaReleasesTheFullXMLOnTheNextSync() async throws {
        try await TestServer.run(workers: true, lane: .heavy, configure: { $0.outboundAllow = ["127.0.0.1"] }) { server in
            try await SefazPeer.run(clientRoots: try Self.identity().chain, clock: server.clock) { peer in
                let s = try await Self.setUp(server, peer: peer)
                var feed = SefazFeed(recipient: Self.cnpj)
                feed.addNFe(count: 4, withholdFull: true)
                peer.add(feed.documents, for: Self.cnpj)
                peer.withhold(feed.withheld, for: Self.cnpj)
                #expect(feed.withheld.count == 2)
                #expect(try await Self.waitForRun(s, try await Self.startSync(s))["status"] as? String == "completed")
                let key = feed.withheld[0].key
                let listed = try await server.request(.get, "/v1/documents?summary=true&limit=50", auth: s.auth).items
                let document = try #require(listed.first { $0["accessKey"] as? String == key })
                let id = try #require(document["id"] as? String)

                let forbidden = try await server.request(
                    .post, "/v1/documents/\(id)/manifest",
                    json: ["type": "ciencia", "justificativa": "nao cabe justificativa aqui"], auth: s.auth)
                #expect(forbidden.status == 422 && forbidden.code == "validation_failed")
                let missing = try await server.request(.post, "/v1/documents/\(id)/manifest", json: ["type": "nao_realizada"], auth: s.auth)
                #expect(missing.status == 422)
                #expect(try await server.request(.post, "/v1/documents/\(id)/manifest", json: ["type": "aceite"], auth: s.auth).status == 422)

                server.clock.advance(by: 0.538)  // the event keeps the second it was signed at, not this fraction
                let ciencia = try await server.request(.post, "/v1/documents/\(id)/manifest", json: ["type": "ciencia"], auth: s.auth)
                #expect(ciencia.status == 200 && ciencia.json["result"] as? String == "registered", "\(ciencia.text)")
                #expect(ciencia.json["statusCode"] as? Int == 135 && (ciencia.json["protocolNumber"] as? String)?.count == 15)
                #expect(ciencia.json["eventId"] as? String == "ID210210\(key)01")
                let again = try await server.request(.post, "/v1/documents/\(id)/manifest", json: ["type": "ciencia"], auth: s.auth)
                #expect(again.json["result"] as? String == "already_registered" && again.json["statusCode"] as? Int == 573)
                // A repeat the authority registers again (a new protocol) leaves the first row and
                // its file as they were: every stored hash still matches its file.
                peer.registersRepeats = true
                let repeated = try await server.request(.post, "/v1/documents/\(id)/manifest", json: ["type": "ciencia"], auth: s.auth)
                peer.registersRepeats = false
                #expect(repeated.json["statusCode"] as? Int == 135 && repeated.json["protocolNumber"] as? String != ciencia.json["protocolNumber"] as? String)
                let kept = try await server.request(.get, "/v1/documents/\(id)", auth: s.auth).json["events"] as? [[String: Any]]
                #expect(kept?.first { $0["eventCode"] as? String == "210210" }?["protocolNumber"] as? String == ciencia.json["protocolNumber"] as? String)
                let verified = try await StoredFileVerifier(database: server.runtime.database, blobs: server.runtime.services.blobs).verify()
                #expect(verified.findings.isEmpty && verified.eventsChecked > 0 && verified.documentsChecked > 0, "\(verified.findings)")
                let events = try await server.request(.get, "/v1/documents/\(id)", auth: s.auth).json["events"] as? [[String: Any]]
                #expect(events?.contains { $0["eventCode"] as? String == "210210" && $0["protocolNumber"] != nil } == true)
                let signedDate = try #require(events?.first { $0["eventCode"] as? String == "210210" }?["eventDate"] as? String)
                // The stored event is announced as fiscal_event.received, with its document.
                let announced = try await server.request(.get, "/v1/events?limit=200", auth: s.auth).items
                    .filter { $0["eventType"] as? String == "fiscal_event.received" }
                #expect(
                    announced.contains {
                        ($0["payload"] as? [String: Any])?["documentId"] as? String == id.lowercased()
                            && ($0["payload"] as? [String: Any])?["eventCode"] as? String == "210210"
                    }, "\(announced)")
                #expect(signedDate.hasSuffix(".000Z"), "\(signedDate)")
                let stranger = try await server.ownerApiKey().auth
                #expect(try await server.request(.post, "/v1/documents/\(id)/manifest", json: ["type": "ciencia"], auth: stranger).status == 404)

                // The AN's hour, then the next sync brings the released procNFe.
                server.clock.advance(by: DFeSyncService.quietPeriod + 5)
                #expect(try await Self.waitForRun(s, try await Self.startSync(s), seconds: 60)["status"] as? String == "completed")
                let upgraded = try await server.request(.get, "/v1/documents/\(id)", auth: s.auth).json
                #expect(upgraded["isSummary"] as? Bool == false && upgraded["schema"] as? String == "procNFe_v4.00.xsd")
                let other = try #require(listed.first { $0["accessKey"] as? String == feed.withheld[1].key }?["id"] as? String)
                #expect(try await server.request(.get, "/v1/documents/\(other)", auth: s.auth).json["isSummary"] as? Bool == true)
                #expect(peer.answered656 == 0)
            }
        }
    }

    /// With automatic ciência on, every new summary gets its ciência from a job, and the sync
    /// after the AN's hour brings every withheld full XML.
    @Test func automaticCienciaBringsEveryFullXML() async throws {
        try await TestServer.run(workers: true, lane: .heavy, configure: { $0.outboundAllow = ["127.0.0.1"] }) { server in
            try await SefazPeer.run(clientRoots: try Self.identity().chain, clock: server.clock) { peer in
                let s = try await Self.setUp(server, peer: peer)
                let on = try await server.request(
                    .put, "/v1/companies/\(s.companyId)/connector-configs/NFE", json: ["autoCiencia": true], auth: s.auth)
                #expect(on.json["autoCiencia"] as? Bool == true && on.json["endpoint"] as? String != nil)
                var feed = SefazFeed(recipient: Self.cnpj)
                feed.addNFe(count: 12, withholdFull: true)
                peer.add(feed.documents, for: Self.cnpj)
                peer.withhold(feed.withheld, for: Self.cnpj)
                #expect(try await Self.waitForRun(s, try await Self.startSync(s))["status"] as? String == "completed")

                let company = try #require(UUID(uuidString: s.companyId))
                let database = server.runtime.database
                let deadline = Date().addingTimeInterval(60)
                var ciencias = 0
                while Date() < deadline {
                    ciencias = try await database.first(
                        """
                        SELECT COUNT(*) AS n FROM fiscal_events WHERE company_id = \(bind: company) AND event_code = '210210' AND protocol IS NOT NULL
                        """)!.decode(column: "n", as: Int.self)
                    if ciencias == feed.truth.count { break }
                    try await Task.sleep(for: .milliseconds(100))
                }
                #expect(ciencias == feed.truth.count)

                server.clock.advance(by: DFeSyncService.quietPeriod + 5)
                #expect(try await Self.waitForRun(s, try await Self.startSync(s), seconds: 60)["status"] as? String == "completed")
                let full = try await server.request(.get, "/v1/documents?summary=false&limit=50", auth: s.auth).items
                #expect(Set(full.compactMap { $0["accessKey"] as? String }) == Set(feed.withheld.map(\.key)))
                #expect(peer.answered656 == 0)
            }
        }
    }
}
