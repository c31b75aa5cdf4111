// DF-e benchmarks, release mode. Not part of the test suite (Benchmarks/dfe.sh runs them beside nfelib).
//   fiscalmix-dfe-bench emit <dir> <count>            writes <count> procNFe files (the feed generator's) to <dir>
//   fiscalmix-dfe-bench parse <dir> <seconds>         parses every *.xml in <dir> repeatedly; documents per second
//   fiscalmix-dfe-bench sync <database-url> <count>   peer → mutual TLS → gunzip → parse → blobs → database, end to end
// Prints one JSON object per figure.
import FiscalMixAPI
import FiscalMixApp
import FiscalMixCore
import FiscalMixDFe
import FiscalMixDatabase
import FiscalMixFiscal
import FiscalMixIdentity
import FiscalMixJobs
import FiscalMixSefazPeer
import FiscalMixTestSupport
import Foundation
import Logging

let arguments = CommandLine.arguments
@Sendable func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data((message + "\n").utf8))
    exit(2)
}
guard arguments.count >= 4 else { fail("usage: fiscalmix-dfe-bench emit|parse|sync …") }

@Sendable func report(_ fields: [String: String]) {
    let text = fields.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \($0.value)" }.joined(separator: ", ")
    FileHandle.standardOutput.write(Data(("{" + text + "}\n").utf8))
}

switch arguments[1] {
case "emit":
    var feed = SefazFeed(recipient: "11222333000181")
    let count = Int(arguments[3]) ?? 1000
    feed.addNFe(count: count * 2)
    var written = 0
    for document in feed.documents where document.schema.hasPrefix("procNFe") && written < count {
        try Data(document.xml).write(to: URL(fileURLWithPath: arguments[2]).appendingPathComponent("gen-\(written).xml"))
        written += 1
    }
    report(["figure": "\"emit\"", "files": "\(written)"])

case "parse":
    let folder = URL(fileURLWithPath: arguments[2])
    let files = try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil).filter { $0.pathExtension == "xml" }
        .sorted { $0.path < $1.path }
    let payloads = try files.map { Array(try Data(contentsOf: $0)) }
    let seconds = Double(arguments[3]) ?? 3
    var parsed = 0, bytes = 0
    let started = Date()
    while Date().timeIntervalSince(started) < seconds {
        for payload in payloads {
            guard case .document(let document) = try DFeParser.parse(payload), !document.isSummary else { fail("not a procNFe") }
            parsed += 1
            bytes += payload.count
        }
    }
    let elapsed = Date().timeIntervalSince(started)
    report([
        "figure": "\"parse\"", "library": "\"fiscalmix\"", "files": "\(files.count)", "documents_per_second": "\(Int(Double(parsed) / elapsed))",
        "mb_per_second": String(format: "%.1f", Double(bytes) / elapsed / 1_048_576),
    ])

case "sync":
    let url = arguments[2]
    let count = Int(arguments[3]) ?? 5000
    // The data folder is removed by the script after every run, not here: deleting thousands of
    // files just before the next run makes ext4 skip their recently freed inodes on every create
    // (measured: 40% of the CPU in recently_deleted/find_inode_bit, half the throughput).
    let base = ProcessInfo.processInfo.environment["FISCALMIX_BENCH_DIR"].map { URL(fileURLWithPath: $0) } ?? FileManager.default.temporaryDirectory
    let data = base.appendingPathComponent("fiscalmix-dfe-bench-\(UUID().uuidString)").path
    var logger = Logger(label: "bench")
    logger.logLevel = .warning
    let configuration = try AppConfiguration(values: [
        "FISCALMIX_DATA_DIR": data, "FISCALMIX_DATABASE_URL": url.hasPrefix("postgres") ? url : "sqlite:\(data)/fiscalmix.sqlite",
        "FISCALMIX_MASTER_KEY": TestKeys.masterKey, "FISCALMIX_OUTBOUND_ALLOW": "127.0.0.1", "FISCALMIX_LOG_LEVEL": "warning",
    ])
    let runtime = try await FiscalMixRuntime.start(configuration, logger: logger)
    let pfx = try TestCertificates.modernPKCS12()
    let identity = try A1Certificate.open(pfx: pfx, password: TestCertificates.password, now: Date())
    let suffix = UUID().uuidString.prefix(8).lowercased()
    let (_, _) = try await runtime.services.accounts.createAccount(
        .init(
            accountName: "Bench \(suffix)", ownerName: "Bench",
            ownerEmail: "bench-\(suffix)@example.com", ownerPassword: "bench password 123"))
    guard
        case .signedIn(let token, _, _) = try await runtime.services.auth.login(
            email: "bench-\(suffix)@example.com", password: "bench password 123",
            meta: RequestMeta())
    else { fail("login") }
    let principal = try await runtime.services.auth.authenticateSession(token: token)
    let newCompany = try JSONDecoder().decode(
        CompanyService.NewCompany.self, from: Data(#"{"cnpj":"11222333000181","razaoSocial":"Bench","uf":"SP"}"#.utf8))
    let company = try await runtime.services.companies.create(principal, newCompany, meta: RequestMeta())
    _ = try await runtime.services.certificates.uploadA1(principal, companyId: company.id, file: pfx, password: "teste123", meta: RequestMeta())
    let worker = runtime.makeWorkers()
    try await SefazPeer.run(clientRoots: identity.chain) { peer in
        var input = try JSONDecoder().decode(
            ConnectorConfigService.Input.self,
            from: Data(
                """
                {"endpoint": "\(peer.baseURL + DistributionService.nfe.path)", "caBundlePem": \(String(data: try JSONEncoder().encode(peer.authority.caPEM), encoding: .utf8)!), "autoSync": false}
                """.utf8))
        input.autoCiencia = false
        _ = try await runtime.services.connectorConfigs.put(principal, companyId: company.id, docType: .NFE, input, meta: RequestMeta())
        var feed = SefazFeed(recipient: "11222333000181")
        feed.addNFe(count: count)
        peer.add(feed.documents, for: "11222333000181")
        let started = Date()
        let runs = try await runtime.services.sync.start(principal, companyId: company.id, docTypes: [.NFE])
        try await withThrowingTaskGroup(of: Void.self) { group in
            for w in worker { group.addTask { try await w.run() } }
            while true {
                let run = try await runtime.services.sync.get(principal, runId: runs[0].id)
                if run.status == .completed || run.status == .failed {
                    let elapsed = Date().timeIntervalSince(started)
                    report([
                        "figure": "\"sync_end_to_end\"", "database": "\"\(runtime.database.dialect.rawValue)\"",
                        "status": "\"\(run.status.rawValue)\"",
                        "doczips": "\(run.docsFound)", "rows_written": "\(run.docsSaved + run.eventsSaved)",
                        "seconds": String(format: "%.2f", elapsed),
                        "documents_per_second": "\(Int(Double(run.docsFound) / elapsed))",
                    ])
                    break
                }
                try await Task.sleep(for: .milliseconds(20))
            }
            group.cancelAll()
        }
    }
    try? await runtime.database.shutdown()

default:
    fail("unknown mode \(arguments[1])")
}
