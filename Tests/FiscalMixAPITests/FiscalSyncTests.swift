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
@testable import FiscalMixWebhooks

/// DF-e sync end to end: the API starts a run, a worker walks the SEFAZ peer's feed over mutual
/// TLS with the company's A1 certificate, and the documents API reads what was stored.
/// Serialized: each test moves thousands of documents through TLS, gzip, XML and the database, and
/// running them side by side would starve the timing-sensitive tests of the rest of the suite.
@Suite(.serialized) struct FiscalSyncTests {
    static let cnpj = "11222333000181"

    struct Setup {
        let server: TestServer
        let auth: TestServer.Auth
        let companyId: String
        let accountId: UUID
    }

    /// An account with a company holding the sample A1 certificate, its NF-e connector pointed at the peer.
    static func setUp(_ server: TestServer, peer: SefazPeer) async throws -> Setup {
        let (owner, auth) = try await server.ownerApiKey()
        let companyId = try await CertificateAPITests.company(server, cnpj: cnpj, auth: auth)
        let upload = try await CertificateAPITests.upload(
            server, companyId: companyId, file: try TestCertificates.modernPKCS12(),
            password: CertificateAPITests.password, auth: auth)
        #expect(upload.status == 201, "\(upload.text)")
        let config = try await server.request(
            .put, "/v1/companies/\(companyId)/connector-configs/NFE",
            json: [
                "environment": "producao", "endpoint": peer.baseURL + DistributionService.nfe.path, "caBundlePem": peer.authority.caPEM,
                "eventEndpoint": peer.baseURL + RecepcaoEvento.path,
                "autoSync": false,
            ], auth: auth)
        #expect(config.status == 200, "\(config.text)")
        return Setup(server: server, auth: auth, companyId: companyId, accountId: owner.accountId)
    }

    static func identity() throws -> A1Certificate {
        try A1Certificate.open(pfx: try TestCertificates.modernPKCS12(), password: CertificateAPITests.password, now: Date())
    }

    static func startSync(_ s: Setup) async throws -> String {
        let started = try await s.server.request(.post, "/v1/companies/\(s.companyId)/sync", json: ["docTypes": ["NFE"]], auth: s.auth)
        #expect(started.status == 202, "\(started.text)")
        return try #require(started.items.first?["id"] as? String)
    }

    /// Polls the run until it ends (or fails the test after `seconds`).
    static func waitForRun(_ s: Setup, _ runId: String, seconds: Double = 180) async throws -> [String: Any] {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let run = try await s.server.request(.get, "/v1/sync-runs/\(runId)", auth: s.auth).json
            if let status = run["status"] as? String, status == "completed" || status == "failed" { return run }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestFailure("sync run \(runId) did not finish in \(seconds) s")
    }

    /// 1,000+ documents over 20+ answers with events, the real samples among them, a garbage
    /// docZip and a gzip bomb: everything lands once, amounts exact, summaries upgraded by the
    /// full XML, cancellations applied, the hour honoured (the peer never answers 656).
    @Test(.requires(.fiscalSamples)) func syncsALargeFeedOverMutualTLSAndHonoursTheHour() async throws {
        try await TestServer.run(workers: true, lane: .heavy, configure: { $0.outboundAllow = ["127.0.0.1"] }) { server in
            try await SefazPeer.run(clientRoots: try Self.identity().chain, clock: server.clock) { peer in
                let s = try await Self.setUp(server, peer: peer)
                var feed = SefazFeed(recipient: Self.cnpj)
                let real = try FiscalSamples.distributionPayloads()
                feed.append(raw: real)
                feed.addNFe(count: 700)
                feed.append(hostile: Array("this is not gzip at all".utf8))
                feed.append(hostile: Gunzip.deflate([UInt8](repeating: 0x41, count: 16 << 20)))
                peer.add(feed.documents, for: Self.cnpj)
                let total = feed.documents.count
                #expect(total >= 1_000)

                let runId = try await Self.startSync(s)
                let run = try await Self.waitForRun(s, runId)
                #expect(run["status"] as? String == "completed", "\(run)")
                #expect(run["docsFound"] as? Int == total)
                #expect(run["nsuStart"] as? Int == 0 && run["nsuEnd"] as? Int == Int(feed.lastNSU) && run["maxNsu"] as? Int == Int(feed.lastNSU))
                let answers = peer.answeredStatuses
                #expect(answers.count >= 20 && answers.allSatisfy { $0 == 138 }, "\(answers)")
                #expect(answers.count == (total + 49) / 50)

                // The two hostile payloads are kept raw and named; the run went on.
                let problems = try #require(run["problems"] as? [[String: Any]])
                #expect(problems.count == 2)
                #expect(Set(problems.compactMap { $0["code"] as? String }) == ["doczip_not_gzip", "doczip_too_large"], "\(problems)")
                #expect(problems.allSatisfy { ($0["path"] as? String)?.contains("/raw/NFE-") == true })

                // Independent expectations: the generated truth plus the real samples read by hand.
                let database = server.runtime.database
                let company = try #require(UUID(uuidString: s.companyId))
                var realDocumentKeys = Set<String>(), realEventKeys = Set<String>()
                for payload in real {
                    let text = String(decoding: payload.xml, as: UTF8.self)
                    let key = try #require(Self.firstText(text, "chNFe"))
                    if payload.schema.hasPrefix("resNFe") || payload.schema.hasPrefix("procNFe") {
                        realDocumentKeys.insert(key)
                    } else {
                        realEventKeys.insert("\(key)|\(try #require(Self.firstText(text, "tpEvento")))|\(Self.firstText(text, "nSeqEvento") ?? "1")")
                    }
                }
                let documents = try await FiscalDocumentRepository(database: database).count(companyId: company)
                #expect(documents == feed.truth.count + realDocumentKeys.count)
                #expect(try await FiscalEventRepository(database: database).count(companyId: company) == feed.events.count + realEventKeys.count)
                // A document is written once, and once more when its full XML comes in a later answer
                // than its summary (within one answer the full XML alone is written).
                var answerOfSummary: [String: Int] = [:], upgradesAcrossAnswers = 0
                for (position, document) in feed.documents.enumerated() {
                    let text = String(decoding: document.xml, as: UTF8.self)
                    guard let key = Self.firstText(text, "chNFe") else { continue }
                    if document.schema.hasPrefix("resNFe") { answerOfSummary[key] = position / 50 }
                    if document.schema.hasPrefix("procNFe"), let summary = answerOfSummary[key], summary < position / 50 {
                        upgradesAcrossAnswers += 1
                    }
                }
                #expect(upgradesAcrossAnswers > 100)
                #expect(run["docsSaved"] as? Int == feed.truth.count + realDocumentKeys.count + upgradesAcrossAnswers)

                let rows = try await database.query(
                    """
                    SELECT access_key, is_summary, status, CAST(total_value AS TEXT) AS v, issuer_cnpj_cpf, direction, storage_xml_path
                    FROM fiscal_documents WHERE company_id = \(bind: company)
                    """)
                var checked = 0
                for row in rows {
                    let key: String = try row.decode(column: "access_key", as: String.self)
                    guard let expected = feed.truth[key] else { continue }
                    checked += 1
                    #expect(try row.decode(column: "v", as: String.self) == expected.value)
                    #expect(try row.decode(column: "is_summary", as: Bool.self) == !expected.full)
                    #expect(try row.decode(column: "status", as: String.self) == (expected.cancelled ? "cancelled" : "authorized"))
                    #expect(try row.decode(column: "direction", as: String.self) == "received")
                    #expect(try row.decode(column: "issuer_cnpj_cpf", as: String.self) == expected.issuer)
                }
                #expect(checked == feed.truth.count)
                // Events that arrived before their document point at it now.
                let unlinked = try await database.first(
                    """
                    SELECT COUNT(*) AS n FROM fiscal_events e WHERE e.company_id = \(bind: company) AND e.fiscal_document_id IS NULL
                      AND EXISTS (SELECT 1 FROM fiscal_documents d WHERE d.company_id = e.company_id AND d.access_key = e.access_key)
                    """)
                #expect(try unlinked?.decode(column: "n", as: Int.self) == 0)
                #expect(
                    try await IntegrationEventRepository(database: database).count(accountId: s.accountId, type: "fiscal_document.received")
                        == run["docsSaved"] as? Int)
                // Every stored fiscal event is announced once, in the transaction that stored it.
                let storedEvents = try await database.first("SELECT COUNT(*) AS n FROM fiscal_events WHERE company_id = \(bind: company)")
                let eventCount = try #require(try storedEvents?.decode(column: "n", as: Int.self))
                #expect(eventCount > 0)
                #expect(
                    try await IntegrationEventRepository(database: database).count(accountId: s.accountId, type: "fiscal_event.received")
                        == eventCount)

                // Caught up: a new sync waits for the AN's hour instead of asking (which would be 656).
                let second = try await Self.startSync(s)
                try await Task.sleep(for: .seconds(2))
                let waiting = try await server.request(.get, "/v1/sync-runs/\(second)", auth: s.auth).json
                #expect(waiting["status"] as? String == "pending")
                // The pending run says when it will run and why; it has not started.
                #expect(waiting["waitingReason"] as? String == "an_quiet_hour" && waiting["startedAt"] == nil, "\(waiting)")
                let scheduledFor = try #require((waiting["scheduledFor"] as? String).flatMap(RFC3339.date(from:)))
                #expect(scheduledFor > server.clock.now().addingTimeInterval(3000))
                let status = try await server.request(.get, "/v1/companies/\(s.companyId)/sync-status", auth: s.auth).items
                #expect(status.first { $0["docType"] as? String == "NFE" }?["waitingReason"] as? String == "an_quiet_hour", "\(status)")
                #expect(peer.answeredStatuses.count == answers.count)
                server.clock.advance(by: DFeSyncService.quietPeriod + 5)
                let after = try await Self.waitForRun(s, second, seconds: 30)
                #expect(after["status"] as? String == "completed" && after["lastStatusCode"] as? Int == 137, "\(after)")
                let startedAt = try #require((after["startedAt"] as? String).flatMap(RFC3339.date(from:)))
                #expect(startedAt >= scheduledFor && after["waitingReason"] == nil)
                #expect(peer.answered656 == 0)
            }
        }
    }

    static func firstText(_ xml: String, _ element: String) -> String? {
        guard let open = xml.range(of: "<\(element)>"), let close = xml.range(of: "</\(element)>", range: open.upperBound..<xml.endIndex) else {
            return nil
        }
        return String(xml[open.upperBound..<close.lowerBound])
    }

    /// The documents API over a synced feed: filters, a keyset walk by issue date, one document
    /// with its events, the XML byte for byte; another account sees none of it.
    @Test func documentsAreListedFilteredAndDownloadedWithinTheAccount() async throws {
        try await TestServer.run(workers: true, lane: .heavy, configure: { $0.outboundAllow = ["127.0.0.1"] }) { server in
            try await SefazPeer.run(clientRoots: try Self.identity().chain, clock: server.clock) { peer in
                let s = try await Self.setUp(server, peer: peer)
                var feed = SefazFeed(recipient: Self.cnpj)
                feed.addNFe(count: 60)
                peer.add(feed.documents, for: Self.cnpj)
                let runId = try await Self.startSync(s)
                #expect(try await Self.waitForRun(s, runId)["status"] as? String == "completed")

                // Walk every page newest first: each document once, in order.
                var seen: [[String: Any]] = [], cursor: String?
                repeat {
                    let page = try await server.request(
                        .get, "/v1/documents?companyId=\(s.companyId)&limit=7" + (cursor.map { "&cursor=\($0)" } ?? ""),
                        auth: s.auth)
                    #expect(page.status == 200, "\(page.text)")
                    seen += page.items
                    cursor = page.json["nextCursor"] as? String
                } while cursor != nil
                #expect(seen.count == 60 && Set(seen.compactMap { $0["accessKey"] as? String }).count == 60)
                let dates = seen.compactMap { $0["issueDate"] as? String }
                #expect(dates == dates.sorted(by: >))

                // Filters, each checked against the feed's own truth.
                let cancelled = try await server.request(.get, "/v1/documents?status=cancelled&limit=200", auth: s.auth)
                #expect(cancelled.items.count == feed.truth.values.filter(\.cancelled).count)
                let full = try await server.request(.get, "/v1/documents?summary=false&direction=received&docType=NFE&limit=200", auth: s.auth)
                #expect(full.items.count == feed.truth.values.filter(\.full).count)
                let issuer = "45997418000153"
                let byIssuer = try await server.request(.get, "/v1/documents?issuer=\(issuer)&limit=200", auth: s.auth)
                #expect(byIssuer.items.count == feed.truth.values.filter { $0.issuer == issuer }.count && !byIssuer.items.isEmpty)
                let named = try await server.request(.get, "/v1/documents?q=BETA%20distrib&limit=200", auth: s.auth)
                #expect(named.items.count == byIssuer.items.count)
                let large = try await server.request(.get, "/v1/documents?minValue=100000.00&limit=200", auth: s.auth)
                let expectedLarge = feed.truth.values.filter { Decimal(string: $0.value)! >= 100_000 }.count
                #expect(large.items.count == expectedLarge && expectedLarge > 0)
                #expect(try await server.request(.get, "/v1/documents?minValue=abc", auth: s.auth).code == "validation_failed")
                #expect(try await server.request(.get, "/v1/documents?direction=sideways", auth: s.auth).status == 422)

                // A misspelled filter is refused, never ignored; the first release's spellings
                // still filter, flagged as deprecated (docs/api-conventions.md).
                let misspelled = try await server.request(.get, "/v1/documents?doctype=CTE", auth: s.auth)
                #expect(misspelled.status == 400 && misspelled.code == "unknown_parameter", "\(misspelled.text)")
                let details = misspelled.json["details"] as? [String: Any]
                #expect(details?["parameter"] as? String == "doctype" && (details?["accepted"] as? String)?.contains("docType") == true)
                let previous = try await server.request(.get, "/v1/documents?doc_type=NFE&summary=false&direction=received&limit=200", auth: s.auth)
                #expect(previous.status == 200 && previous.items.count == full.items.count)
                #expect(previous.headers[.init("Deprecation")!] == "@1796688000")
                #expect(full.headers[.init("Deprecation")!] == nil)
                #expect(try await server.request(.get, "/v1/documents?sort=issue_date&limit=1", auth: s.auth).status == 200)

                // Every stored event is listed, attached to its document or not.
                var listedEvents: [[String: Any]] = [], eventCursor: String?
                repeat {
                    let page = try await server.request(
                        .get, "/v1/fiscal-events?companyId=\(s.companyId)&limit=50" + (eventCursor.map { "&cursor=\($0)" } ?? ""), auth: s.auth)
                    #expect(page.status == 200, "\(page.text)")
                    listedEvents += page.items
                    eventCursor = page.json["nextCursor"] as? String
                } while eventCursor != nil
                let company = UUID(uuidString: s.companyId)!
                let storedEvents: Int = try await server.runtime.database.first(
                    "SELECT COUNT(*) AS n FROM fiscal_events WHERE company_id = \(bind: company)")!.decode(column: "n", as: Int.self)
                let detached: Int = try await server.runtime.database.first(
                    "SELECT COUNT(*) AS n FROM fiscal_events WHERE company_id = \(bind: company) AND fiscal_document_id IS NULL")!
                    .decode(column: "n", as: Int.self)
                #expect(listedEvents.count == storedEvents && storedEvents > 0)
                let unattached = try await server.request(.get, "/v1/fiscal-events?attached=false&limit=200", auth: s.auth)
                #expect(unattached.items.count == detached && unattached.items.allSatisfy { $0["documentId"] == nil })
                let oneKey = try #require(listedEvents.first?["accessKey"] as? String)
                let byKey = try await server.request(.get, "/v1/fiscal-events?accessKey=\(oneKey)", auth: s.auth).items
                #expect(!byKey.isEmpty && byKey.allSatisfy { $0["accessKey"] as? String == oneKey })
                #expect(try await server.request(.get, "/v1/fiscal-events?eventCode=21", auth: s.auth).code == "validation_failed")
                #expect(try await server.request(.get, "/v1/fiscal-events", auth: try await server.ownerApiKey().auth).items.isEmpty)

                // Every key the API writes is camelCase with acronyms as words.
                let run = try await server.request(.get, "/v1/sync-runs/\(runId)", auth: s.auth)
                let configs = try await server.request(.get, "/v1/companies/\(s.companyId)/connector-configs", auth: s.auth)
                for answer in [full, run, configs] {
                    #expect(APIConventions.misnamedKeys(in: answer.json).isEmpty, "\(APIConventions.misnamedKeys(in: answer.json))")
                }
                #expect(run.json["maxNsu"] != nil && full.items.first?["hashSha256"] != nil && full.items.first?["storageXMLPath"] == nil)

                // One document: its events and its XML, exactly as the AN sent it.
                let cancelledId = try #require(cancelled.items.first?["id"] as? String)
                let key = try #require(cancelled.items.first?["accessKey"] as? String)
                let one = try await server.request(.get, "/v1/documents/\(cancelledId)", auth: s.auth)
                #expect((one.json["events"] as? [[String: Any]])?.contains { $0["eventCode"] as? String == "110111" } == true)
                let xml = try await server.request(.get, "/v1/documents/\(cancelledId)/xml", auth: s.auth)
                #expect(xml.status == 200 && xml.headers[.contentType]?.hasPrefix("application/xml") == true)
                let sent = feed.documents.filter {
                    String(decoding: $0.xml, as: UTF8.self).contains(key) && !$0.schema.hasPrefix("resEvento")
                        && !$0.schema.hasPrefix("procEvento")
                }.last
                #expect(Array(xml.body) == sent?.xml)
                #expect(xml.headers[.contentLength] == sent.map { String($0.xml.count) })

                // A download link: the same bytes without an API key, until it expires.
                let minted = try await server.request(.post, "/v1/documents/\(cancelledId)/xml-link", json: ["expiresIn": 120], auth: s.auth)
                #expect(minted.status == 200, "\(minted.text)")
                let linkText = try #require(minted.json["url"] as? String)
                let linkURL = try #require(URL(string: linkText))
                #expect(linkURL.path.hasPrefix("/v1/blob-links/"))
                let linked = try await server.request(.get, linkURL.path)
                #expect(linked.status == 200 && Array(linked.body) == sent?.xml)
                #expect(linked.headers[.contentDisposition] == "attachment; filename=\"\(key).xml\"")
                #expect(linked.headers[.contentType]?.hasPrefix("application/xml") == true)
                // A token altered anywhere is no link at all; bad lifetimes are refused.
                var tampered = Array(linkURL.lastPathComponent)
                tampered[tampered.count / 3] = tampered[tampered.count / 3] == "A" ? "B" : "A"
                #expect(try await server.request(.get, "/v1/blob-links/" + String(tampered)).status == 404)
                #expect(try await server.request(.get, "/v1/blob-links/not-a-token").status == 404)
                #expect(try await server.request(.post, "/v1/documents/\(cancelledId)/xml-link", json: ["expiresIn": 10], auth: s.auth).status == 422)
                #expect(
                    try await server.request(.post, "/v1/documents/\(cancelledId)/xml-link", json: ["expiresIn": 700_000], auth: s.auth).status == 422
                )
                // Request logs name the route, never the token.
                await server.flushRequestLogs()
                let logged = try await server.runtime.database.query("SELECT path FROM request_logs WHERE path LIKE '/v1/blob-links/%'")
                #expect(try logged.allSatisfy { try $0.decode(column: "path", as: String.self) == "/v1/blob-links/{token}" } && !logged.isEmpty)
                server.clock.advance(by: 121)
                let expired = try await server.request(.get, linkURL.path)
                #expect(expired.status == 410 && expired.code == "link_expired")
                server.clock.advance(by: -121)

                // Another account: 404 for the document, its XML, the run; an empty list.
                let stranger = try await server.ownerApiKey().auth
                #expect(try await server.request(.post, "/v1/documents/\(cancelledId)/xml-link", json: [:], auth: stranger).status == 404)
                #expect(try await server.request(.get, "/v1/documents/\(cancelledId)", auth: stranger).status == 404)
                #expect(try await server.request(.get, "/v1/documents/\(cancelledId)/xml", auth: stranger).status == 404)
                #expect(try await server.request(.get, "/v1/sync-runs/\(runId)", auth: stranger).status == 404)
                #expect(try await server.request(.get, "/v1/documents", auth: stranger).items.isEmpty)
                #expect(try await server.request(.post, "/v1/companies/\(s.companyId)/sync", json: [:], auth: stranger).status == 404)

                // A tampered blob is refused, not served.
                let path = try await server.runtime.database.first(
                    "SELECT storage_xml_path FROM fiscal_documents WHERE id = \(bind: UUID(uuidString: cancelledId)!)")!
                    .decode(column: "storage_xml_path", as: String.self)
                try Data("<tampered/>".utf8).write(to: URL(fileURLWithPath: server.runtime.configuration.blobDirectory + "/" + path))
                #expect(try await server.request(.get, "/v1/documents/\(cancelledId)/xml", auth: s.auth).code == "xml_corrupt")
                #expect(try await server.request(.get, linkURL.path).code == "blob_corrupt")
                // The operator's check finds it, and a file gone missing.
                let verifier = StoredFileVerifier(database: server.runtime.database, blobs: server.runtime.services.blobs)
                let report = try await verifier.verify()
                #expect(report.findings.map(\.problem) == [.hashMismatch] && report.findings.first?.path == path)
                #expect(report.documentsChecked == 60 && report.eventsChecked > 0)
                try FileManager.default.removeItem(atPath: server.runtime.configuration.blobDirectory + "/" + path)
                #expect(try await verifier.verify().findings.map(\.problem) == [.missing])
            }
        }
    }

    /// A certificate the authority refuses is a clear, prompt failure of the run; no certificate
    /// at all is refused before anything starts.
    @Test func aRefusedCertificateFailsTheRunClearly() async throws {
        try await TestServer.run(workers: true, lane: .heavy, configure: { $0.outboundAllow = ["127.0.0.1"] }) { server in
            // The peer trusts a different client certificate than the company's.
            let stranger = try SefazTestAuthority()
            try await SefazPeer.run(clientRoots: [stranger.serverCertificate], clock: server.clock) { peer in
                let s = try await Self.setUp(server, peer: peer)
                let started = Date()
                let run = try await Self.waitForRun(s, try await Self.startSync(s), seconds: 60)
                #expect(run["status"] as? String == "failed")
                let failure = try #require(run["failure"] as? String)
                #expect(
                    failure.contains("tls") || failure.contains("TLS") || failure.contains("handshake") || failure.contains("certificate"),
                    "\(failure)")
                #expect(Date().timeIntervalSince(started) < 30)
                #expect(!server.logs.text.contains(CertificateAPITests.password))
            }
            let auth = try await server.ownerApiKey().auth
            let bare = try await CertificateAPITests.company(server, cnpj: "45997418000153", auth: auth)
            let refused = try await server.request(.post, "/v1/companies/\(bare)/sync", json: ["docTypes": ["NFE"]], auth: auth)
            #expect(refused.status == 422 && refused.code == "no_active_certificate")
            let wrongType = try await server.request(.post, "/v1/companies/\(bare)/sync", json: ["docTypes": ["NFSE"]], auth: auth)
            #expect(wrongType.status == 422 && wrongType.code == "doc_type_not_distributable")
        }
    }

    /// A `fiscalmix worker` killed with SIGKILL in the middle of a sync: another worker takes the
    /// job over when the lease runs out and resumes from the last committed NSU — every document
    /// once, no gap, and the AN never sees an out-of-sequence question (no 656).
    @Test
    func aKilledWorkerResumesTheSyncWithNoGapAndNoDuplicate() async throws {
        try await TestServer.run(configure: { $0.outboundAllow = ["127.0.0.1"] }) { server in
            try await SefazPeer.run(clientRoots: try Self.identity().chain, answerDelay: .milliseconds(150)) { peer in
                let s = try await Self.setUp(server, peer: peer)
                var feed = SefazFeed(recipient: Self.cnpj)
                feed.addNFe(count: 620)
                peer.add(feed.documents, for: Self.cnpj)
                #expect(feed.documents.count >= 1_000)
                let runId = try await Self.startSync(s)
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
                do { finished = try await Self.waitForRun(s, runId, seconds: 180) } catch {
                    kill(second.processIdentifier, SIGKILL)
                    throw error
                }
                #expect(finished["status"] as? String == "completed", "\(finished)")
                let company = try #require(UUID(uuidString: s.companyId))
                #expect(try await FiscalDocumentRepository(database: database).count(companyId: company) == feed.truth.count)
                #expect(try await FiscalEventRepository(database: database).count(companyId: company) == feed.events.count)
                let full = try await database.first(
                    """
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
