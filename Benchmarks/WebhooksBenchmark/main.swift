// Webhooks benchmark, release mode. Not part of the test suite (Benchmarks/webhooks.sh runs it).
//   fiscalmix-webhooks-bench <database-url> [seconds=60] [events-per-second=250] [endpoints=10]
// Events are posted through the HTTP API at a steady rate for `seconds`; each fans out to every
// endpoint (all on one local receiver) and is delivered by the workers, signed. Reports events/s
// in, deliveries/s out, p50/p99 from ingest to arrival, and — as the peer, in the same run —
// bare AsyncHTTPClient posting the same bodies straight to the same receiver.
// Prints one JSON object per figure.
import AsyncHTTPClient
import FiscalMixAPI
import FiscalMixApp
import FiscalMixCore
import FiscalMixDatabase
import FiscalMixIdentity
import FiscalMixSecrets
import FiscalMixTestSupport
import FiscalMixWebhooks
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import SQLKit
import ServiceLifecycle
import Synchronization

let arguments = CommandLine.arguments
@Sendable func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data((message + "\n").utf8))
    exit(2)
}
@Sendable func report(_ fields: [String: String]) {
    let text = fields.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \($0.value)" }.joined(separator: ", ")
    FileHandle.standardOutput.write(Data(("{" + text + "}\n").utf8))
}
guard arguments.count >= 2 else { fail("usage: fiscalmix-webhooks-bench <database-url> [seconds] [events-per-second] [endpoints]") }
let url = arguments[1]
let seconds = arguments.count > 2 ? Double(arguments[2]) ?? 60 : 60
let rate = arguments.count > 3 ? Double(arguments[3]) ?? 250 : 250
let endpointCount = arguments.count > 4 ? Int(arguments[4]) ?? 10 : 10
// Concurrent API clients; each waits for its answer before its next post (FISCALMIX_BENCH_SENDERS).
let senders = Int(ProcessInfo.processInfo.environment["FISCALMIX_BENCH_SENDERS"] ?? "") ?? 64

/// A count shared by concurrent tasks.
final class Counter: Sendable {
    private let count = Mutex(0)
    func add() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}

@Sendable func percentile(_ sorted: [Double], _ p: Double) -> Double {
    sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
}

func runBenchmark(url: String, seconds: Double, rate: Double, endpointCount: Int, senders: Int) async throws {
    let data = FileManager.default.temporaryDirectory.appendingPathComponent("fiscalmix-webhooks-bench-\(UUID().uuidString)").path
    let port = Int.random(in: 20_000...40_000)
    var logger = Logger(label: "bench")
    logger.logLevel = .warning
    let configuration = try AppConfiguration(values: [
        "FISCALMIX_DATA_DIR": data, "FISCALMIX_DATABASE_URL": url.hasPrefix("postgres") ? url : "sqlite:\(data)/fiscalmix.sqlite",
        "FISCALMIX_MASTER_KEY": TestKeys.masterKey, "FISCALMIX_OUTBOUND_ALLOW": "127.0.0.1", "FISCALMIX_LOG_LEVEL": "warning",
        "FISCALMIX_PORT": "\(port)", "FISCALMIX_WORKER_CONCURRENCY": ProcessInfo.processInfo.environment["FISCALMIX_WORKER_CONCURRENCY"] ?? "64",
        "FISCALMIX_WORKER_PREFETCH": "64", "FISCALMIX_API_RATE_LIMIT_PER_KEY": "0", "FISCALMIX_API_RATE_LIMIT_PER_ACCOUNT": "0",
    ])
    let runtime = try await FiscalMixRuntime.start(configuration, logger: logger)
    let suffix = UUID().uuidString.prefix(8).lowercased()
    let (account, user) = try await runtime.services.accounts.createAccount(
        .init(
            accountName: "Bench \(suffix)", ownerName: "Bench",
            ownerEmail: "bench-\(suffix)@example.com",
            ownerPassword: "bench password 123"))
    let secret = OpaqueToken.generate(prefix: "fmk_")
    let key = ApiKey(
        id: ID.make(), accountId: account.id, name: "bench", prefix: String(secret.prefix(12)), scopes: [.admin], status: .active,
        createdByUserId: user.id, lastUsedAt: nil, expiresAt: nil, revokedAt: nil, createdAt: Date())
    try await ApiKeyRepository(database: runtime.database).insert(key, hash: OpaqueToken.sha256Hex(secret))
    let principal = Principal(kind: .apiKey(keyId: key.id), accountId: account.id, userId: user.id, role: nil, isStaff: false, scopes: [.admin])
    _ = try await runtime.services.eventTypes.create(
        principal, try JSONDecoder().decode(EventTypeInput.self, from: Data(#"{"name":"bench.event"}"#.utf8)))

    let app = runtime.buildApplication(workers: true)
    let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
    let serverTask = Task { try await group.run() }
    let client = HTTPClient(
        eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: .init(timeout: .init(connect: .seconds(5), read: .seconds(30))))
    for _ in 0..<100 {
        if (try? await client.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/healthz"), timeout: .seconds(1)).status.code) == 200 { break }
        try await Task.sleep(for: .milliseconds(100))
    }

    try await WebhookReceiver.run { receiver in
        for n in 0..<endpointCount {
            let input = try JSONDecoder().decode(
                WebhookEndpointInput.self, from: Data(#"{"url":"\#(receiver.url("e\(n)"))","systemName":"bench\#(n)"}"#.utf8))
            _ = try await runtime.services.webhookEndpoints.create(principal, input, meta: RequestMeta())
        }

        // The peer: bare AsyncHTTPClient posting a delivery-sized body straight to the receiver.
        let sample = Array(#"{"type":"bench.event","timestamp":"2026-01-01T00:00:00.000Z","data":{"n":1,"t":0}}"#.utf8)
        let bareCount = Counter()
        let bareSeconds = 10.0
        let bareStart = Date()
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            for _ in 0..<64 {
                tasks.addTask {
                    while Date().timeIntervalSince(bareStart) < bareSeconds {
                        var request = HTTPClientRequest(url: receiver.url("bare"))
                        request.method = .POST
                        request.headers.add(name: "content-type", value: "application/json")
                        request.body = .bytes(ByteBuffer(bytes: sample))
                        _ = try await client.execute(request, timeout: .seconds(5)).body.collect(upTo: 1 << 16)
                        bareCount.add()
                    }
                }
            }
            try await tasks.waitForAll()
        }
        let bareRate = Double(bareCount.value) / Date().timeIntervalSince(bareStart)

        // Write-ahead log written while FiscalMix ingests and delivers (PostgreSQL): what each
        // delivery costs the database in writes, a figure that does not move with CPU noise.
        @Sendable func walBytes() async throws -> Int64? {
            guard runtime.database.dialect == .postgres else { return nil }
            return try await runtime.database.first("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint AS bytes")?
                .decode(column: "bytes", as: Int64.self)
        }
        let walStart = try await walBytes()

        // FiscalMix: events in through the API at `rate`, out through the workers.
        let accepted = Counter()
        let started = Date()
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            for sender in 0..<senders {
                tasks.addTask {
                    let interval = Double(senders) / rate
                    var next = started.addingTimeInterval(Double(sender) * interval / Double(senders))
                    var n = 0
                    while Date().timeIntervalSince(started) < seconds {
                        let wait = next.timeIntervalSinceNow
                        if wait > 0 { try await Task.sleep(for: .milliseconds(Int(wait * 1000))) }
                        next = next.addingTimeInterval(interval)
                        n += 1
                        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/events")
                        request.method = .POST
                        request.headers.add(name: "authorization", value: "Bearer \(secret)")
                        request.headers.add(name: "content-type", value: "application/json")
                        let body = #"{"eventType":"bench.event","payload":{"sender":\#(sender),"n":\#(n),"t":\#(Date().timeIntervalSince1970)}}"#
                        request.body = .bytes(ByteBuffer(string: body))
                        let response = try await client.execute(request, timeout: .seconds(30))
                        _ = try await response.body.collect(upTo: 1 << 20)
                        if response.status.code == 201 { accepted.add() }
                    }
                }
            }
            try await tasks.waitForAll()
        }
        let ingestSeconds = Date().timeIntervalSince(started)
        let events = accepted.value
        let expected = events * endpointCount
        // Drain: wait for the deliveries still in flight (at most 60 s).
        let drainStart = Date()
        var delivered = 0
        while Date().timeIntervalSince(drainStart) < 60 {
            delivered = (0..<endpointCount).reduce(0) { $0 + receiver.requests("e\($1)").count }
            if delivered >= expected { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        var latencies: [Double] = []
        var inWindow = 0
        let windowEnd = started.addingTimeInterval(seconds)
        for n in 0..<endpointCount {
            for request in receiver.requests("e\(n)") {
                if request.at <= windowEnd { inWindow += 1 }
                guard let object = try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any],
                    let sent = (object["data"] as? [String: Any])?["t"] as? Double
                else { continue }
                latencies.append(request.at.timeIntervalSince1970 - sent)
            }
        }
        latencies.sort()
        let walPerDelivery = try await walBytes().flatMap { end in walStart.map { Double(end - $0) / Double(max(delivered, 1)) } }
        let deliveriesPerSecond = Double(inWindow) / seconds
        report([
            "figure": "\"webhooks_sustained\"", "database": "\"\(runtime.database.dialect.rawValue)\"", "seconds": String(format: "%.0f", seconds),
            "endpoints": "\(endpointCount)", "target_events_per_second": "\(Int(rate))",
            "events_per_second_in": String(format: "%.0f", Double(events) / ingestSeconds),
            "deliveries_per_second_out": String(format: "%.0f", deliveriesPerSecond),
            "delivered": "\(delivered)", "expected": "\(expected)",
            "drain_seconds": String(format: "%.1f", Date().timeIntervalSince(drainStart)),
            "p50_ms": String(format: "%.0f", percentile(latencies, 0.5) * 1000), "p99_ms": String(format: "%.0f", percentile(latencies, 0.99) * 1000),
            "wal_bytes_per_delivery": walPerDelivery.map { String(format: "%.0f", $0) } ?? "null",
        ])
        report([
            "figure": "\"peer_bare_ahc_posts\"", "requests_per_second": String(format: "%.0f", bareRate),
            "fiscalmix_deliveries_vs_bare": String(format: "%.2f", deliveriesPerSecond / bareRate),
        ])
    }
    try await client.shutdown()
    await group.triggerGracefulShutdown()
    _ = try? await serverTask.value

}

try await runBenchmark(url: url, seconds: seconds, rate: rate, endpointCount: endpointCount, senders: senders)
