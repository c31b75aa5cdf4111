import FiscalMixApp
import FiscalMixConformance
import FiscalMixDFe
import FiscalMixTestSupport
import FiscalMixTestTraits
import Foundation
import HTTPTypes
import Testing

@testable import FiscalMixFiscal

/// `fiscalmix sefaz-sim` as a newcomer would use it: mint an A1 with the command, run the peer as
/// its own process, point a company's connector config at it, and sync.
@Suite struct SefazSimCommandTests {
    static let cnpj = "11222333000181"

    @Test(.requires(.fiscalSamples))
    func mintsACertificateServesAFeedAndAFullSyncLandsEveryDocument() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sefaz-sim-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let pfx = directory.appendingPathComponent("a1.pfx")
        let password = "senha-do-a1"

        let mint = try Self.launch(
            [
                "sefaz-sim", "mint-cert", "--dir", directory.path, "--cnpj", Self.cnpj, "--out", pfx.path,
                "--password", password, "--name", "EMPRESA SIMULADA LTDA",
            ], log: directory.appendingPathComponent("mint.log"))
        await WorkerProcess.exit(of: mint)
        #expect(mint.terminationStatus == 0, "\(Self.text(directory.appendingPathComponent("mint.log")))")
        // An invalid CNPJ is refused by the command, not minted.
        let refused = try Self.launch(
            [
                "sefaz-sim", "mint-cert", "--dir", directory.path, "--cnpj", "11222333000182", "--out",
                directory.appendingPathComponent("bad.pfx").path, "--password", password,
            ],
            log: directory.appendingPathComponent("refused.log"))
        await WorkerProcess.exit(of: refused)
        #expect(refused.terminationStatus != 0 && !FileManager.default.fileExists(atPath: directory.appendingPathComponent("bad.pfx").path))

        let runLog = directory.appendingPathComponent("run.log")
        let sim = try Self.launch(
            [
                "sefaz-sim", "run", "--dir", directory.path, "--port", "0", "--feed", "\(Self.cnpj):120", "--samples",
                FiscalSamples.url("xml/spednfe_distdfe_decoded").path,
                "--cte-feed", "\(Self.cnpj):60",
            ], log: runLog)
        defer { if sim.isRunning { sim.terminate() } }
        let (baseURL, documents) = try await Self.waitForListening(runLog)

        try await TestServer.run(workers: true, configure: { $0.outboundAllow = ["127.0.0.1"] }) { server in
            let (_, auth) = try await server.ownerApiKey()
            let companyId = try await CertificateAPITests.company(server, cnpj: Self.cnpj, auth: auth)
            let upload = try await CertificateAPITests.upload(
                server, companyId: companyId, file: Array(try Data(contentsOf: pfx)),
                password: password, auth: auth)
            #expect(upload.status == 201, "\(upload.text)")
            for (docType, service) in [("NFE", DistributionService.nfe), ("CTE", .cte)] {
                let config = try await server.request(
                    .put, "/v1/companies/\(companyId)/connector-configs/\(docType)",
                    json: [
                        "environment": "producao", "endpoint": baseURL + service.path,
                        "caBundlePem": Self.text(directory.appendingPathComponent("ca.pem")), "autoSync": false,
                    ], auth: auth)
                #expect(config.status == 200, "\(config.text)")
            }
            let started = try await server.request(.post, "/v1/companies/\(companyId)/sync", json: ["docTypes": ["NFE", "CTE"]], auth: auth)
            #expect(started.status == 202 && started.items.count == 2, "\(started.text)")
            for item in started.items {
                let runId = try #require(item["id"] as? String)
                let run = try await FiscalSyncTests.waitForRun(.init(server: server, auth: auth, companyId: companyId, accountId: UUID()), runId)
                #expect(run["status"] as? String == "completed", "\(run)")
                #expect(run["docsFound"] as? Int == (item["docType"] as? String == "CTE" ? documents.cte : documents.nfe), "\(run)")
            }
        }
        sim.terminate()  // SIGTERM: a clean stop
        await WorkerProcess.exit(of: sim)
        #expect(sim.terminationStatus == 0, "\(Self.text(runLog))")
    }

    /// `mint-cert --days -1`, as docs/sefaz.md writes it, mints an already expired certificate
    /// (the option takes a negative number as its value instead of reading it as a flag).
    @Test
    func anExpiredCertificateIsMintedAsTheDocsWriteIt() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fm-mint-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let pfx = directory.appendingPathComponent("expired.pfx")
        let log = directory.appendingPathComponent("mint.log")
        let mint = try Self.launch(
            [
                "sefaz-sim", "mint-cert", "--dir", directory.path, "--cnpj", Self.cnpj, "--out", pfx.path,
                "--password", "teste123", "--days", "-1",
            ], log: log)
        await WorkerProcess.exit(of: mint)
        #expect(mint.terminationStatus == 0, "\(Self.text(log))")
        let bytes = Array(try Data(contentsOf: pfx))
        #expect(throws: (any Error).self) { try A1Certificate.open(pfx: bytes, password: "teste123", now: Date()) }
        _ = try A1Certificate.open(pfx: bytes, password: "teste123", now: Date().addingTimeInterval(-36 * 3600))
    }

    static func launch(_ arguments: [String], log: URL) throws -> Process {
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let process = Process()
        process.executableURL = try WorkerProcess.requireBinary()
        process.arguments = arguments
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        return process
    }

    /// The base URL and the feeds' sizes, once the command says it listens.
    static func waitForListening(_ log: URL) async throws -> (String, (nfe: Int, cte: Int)) {
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            let output = text(log)
            if let url = output.firstMatch(of: /listening on (https:\/\/127\.0\.0\.1:\d+)/)?.1,
                let nfe = output.firstMatch(of: /NF-e feed for \d+: (\d+) documents/)?.1,
                let cte = output.firstMatch(of: /CT-e feed for \d+: (\d+) documents/)?.1
            {
                return (String(url), (Int(nfe)!, Int(cte)!))
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw SimNotListening(output: text(log))
    }

    struct SimNotListening: Error { let output: String }

    static func text(_ file: URL) -> String { (try? String(contentsOf: file, encoding: .utf8)) ?? "" }
}
