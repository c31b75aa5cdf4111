import AsyncHTTPClient
import Crypto
import FiscalMixCore
import FiscalMixOutbound
import FiscalMixSecrets
import FiscalMixTestSupport
import Foundation
import NIOCore

// fiscalmix-outbound-bench [seconds per side and round] [concurrency]
// 1. Requests per second to a local server: bare AsyncHTTPClient against the outbound client with a
//    policy (breaker, concurrency cap, rate limit far above the load, retries, timeouts, SSRF guard),
//    the same server, the same concurrency, in the same run.
// 2. Seal/open throughput of the envelope service against raw AES-256-GCM of swift-crypto.

let arguments = CommandLine.arguments
let seconds = arguments.count > 1 ? Double(arguments[1]) ?? 5 : 5
let concurrency = arguments.count > 2 ? Int(arguments[2]) ?? 64 : 64

func line(_ fields: [(String, String)]) {
    let text = "{" + fields.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}\n"
    FileHandle.standardOutput.write(Data(text.utf8))
}

/// Runs `concurrency` loops of `call` for `seconds`; calls per second.
func hammer(_ call: @escaping @Sendable () async throws -> Void) async throws -> Double {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    let started = ContinuousClock.now
    let total = try await withThrowingTaskGroup(of: Int.self) { group in
        for _ in 0..<concurrency {
            group.addTask {
                var count = 0
                while ContinuousClock.now < deadline {
                    try await call()
                    count += 1
                }
                return count
            }
        }
        return try await group.reduce(0, +)
    }
    let elapsed = started.duration(to: .now)
    return Double(total) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
}

try await ChaosServer.run { server in
    // One key per side, so neither pays for the other's call history in the server's stats.
    let bareURL = "\(server.baseURL)/call/bench-bare"
    let url = "\(server.baseURL)/call/bench-client"
    let bare = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
    let client = OutboundClient(configuration: .init(addressGuard: AddressGuard(allowed: ["127.0.0.0/8"])))
    let policy = Policy(
        rateLimit: .init(rate: 1_000_000, burst: 1_000_000), retry: .init(maxAttempts: 3),
        circuitBreaker: .init(), concurrency: .init(maxInFlight: concurrency, maxQueued: 1000))
    let context = OutboundContext(policyKey: "bench")
    // warm both up
    _ = try await bare.execute(HTTPClientRequest(url: bareURL), timeout: .seconds(5)).body.collect(upTo: 1 << 20)
    _ = try await client.execute(OutboundRequest(url: url, operation: "bench"), policy: policy, context: context)

    // Alternating rounds, so drift on a shared machine (and the server's growing call history)
    // falls on both sides alike; the figure is the median round.
    var rounds: [(bare: Double, client: Double)] = []
    for _ in 0..<3 {
        let bareRate = try await hammer {
            let response = try await bare.execute(HTTPClientRequest(url: bareURL), timeout: .seconds(30))
            _ = try await response.body.collect(upTo: 10 << 20)
        }
        let clientRate = try await hammer {
            _ = try await client.execute(OutboundRequest(url: url, operation: "bench"), policy: policy, context: context)
        }
        rounds.append((bareRate, clientRate))
    }
    let median = rounds.sorted { $0.client / $0.bare < $1.client / $1.bare }[1]
    line([
        ("figure", "\"outbound requests/s\""), ("concurrency", "\(concurrency)"), ("bare_async_http_client", String(format: "%.0f", median.bare)),
        ("outbound_client_with_policy", String(format: "%.0f", median.client)), ("ratio", String(format: "%.2f", median.client / median.bare)),
        ("round_ratios", "[" + rounds.map { String(format: "%.2f", $0.client / $0.bare) }.joined(separator: ", ") + "]"),
    ])
    try await bare.shutdown()
    try await client.shutdown()
}

// Envelope encryption: a fresh data key per secret, wrapped under the master key. Measured off
// the main actor (top-level code is main-actor code: each await from it would hop executors).
try await Task.detached {
    let master = try MasterKey(base64: SymmetricKey(size: .bits256).withUnsafeBytes { Data($0).base64EncodedString() })
    let envelopes = EnvelopeService(keys: LocalKeyProvider(current: master))
    for size in [256, 64 * 1024, 1 << 20] {
        let payload = Data((0..<size).map { UInt8(truncatingIfNeeded: $0) })
        let context = SealContext(table: "bench", rowId: "1", accountId: nil)
        let rounds = max(20, (64 << 20) / size)
        let key = SymmetricKey(size: .bits256)
        var started = ContinuousClock.now
        for _ in 0..<rounds {
            let box = try AES.GCM.seal(payload, using: key)
            _ = try AES.GCM.open(box, using: key)
        }
        let raw = started.duration(to: .now)
        started = ContinuousClock.now
        for _ in 0..<rounds {
            let envelope = try await envelopes.seal(payload, for: context)
            _ = try await envelopes.open(envelope, for: context)
        }
        let sealed = started.duration(to: .now)
        func mbps(_ d: Duration) -> Double {
            let megabytes = Double(size * rounds) / 1_048_576
            let elapsed: Double = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
            return megabytes / elapsed
        }
        line([
            ("figure", "\"seal+open MB/s\""), ("payload_bytes", "\(size)"), ("raw_aes_gcm", String(format: "%.1f", mbps(raw))),
            ("envelope_service", String(format: "%.1f", mbps(sealed))), ("ratio", String(format: "%.2f", mbps(sealed) / mbps(raw))),
        ])
    }
}.value
