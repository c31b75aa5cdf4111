import FiscalMixApp
import FiscalMixCore
import FiscalMixTestSupport
import Foundation
import HTTPTypes

/// Shared steps of the webhook tests: endpoints and events through the API, waiting for
/// deliveries to settle, and the independent verifiers.
extension TestServer {
    func createEndpoint(
        _ auth: Auth, url: String, eventTypes: [String] = [], extra: [String: Any] = [:]
    ) async throws -> (id: String, secret: String?, body: [String: Any]) {
        var json: [String: Any] = ["url": url, "systemName": "erp", "eventTypes": eventTypes]
        json.merge(extra) { _, new in new }
        let response = try await request(.post, "/v1/webhook-endpoints", json: json, auth: auth)
        guard response.status == 201, let endpoint = response.json["endpoint"] as? [String: Any], let id = endpoint["id"] as? String else {
            throw TestFailure("endpoint creation failed: \(response.status) \(response.text)")
        }
        return (id, response.json["secret"] as? String, endpoint)
    }

    func createEventType(_ auth: Auth, _ name: String, schema: [String: Any]? = nil) async throws {
        var json: [String: Any] = ["name": name, "description": "test type"]
        if let schema { json["payloadSchema"] = schema }
        let response = try await request(.post, "/v1/event-types", json: json, auth: auth)
        guard response.status == 201 else { throw TestFailure("event type creation failed: \(response.status) \(response.text)") }
    }

    @discardableResult
    func postEvent(_ auth: Auth, type: String, payload: [String: Any], id: String? = nil) async throws -> TestResponse {
        var json: [String: Any] = ["eventType": type, "sourceSystem": "tests", "payload": payload]
        if let id { json["id"] = id }
        return try await request(.post, "/v1/events", json: json, auth: auth)
    }

    /// The endpoint's deliveries once none is pending, or a failure after `timeout` of real time.
    /// With `followSchedule` the clock jumps to the latest retry the deliveries wait for — a jump
    /// only once each attempt is recorded and shorter than a job lease, so no running job's
    /// lease expires under it — and the workers are woken.
    func settledDeliveries(
        _ auth: Auth, endpoint: String, expect count: Int, followSchedule: Bool = false,
        timeout: Duration = .seconds(60)
    ) async throws -> [[String: Any]] {
        let deadline = ContinuousClock.now + timeout
        var last: [[String: Any]] = []
        while ContinuousClock.now < deadline {
            last = try await request(.get, "/v1/webhook-endpoints/\(endpoint)/deliveries?limit=200", auth: auth).items
            if last.count >= count, last.allSatisfy({ $0["status"] as? String != "pending" }) { return last }
            let due = last.filter { $0["status"] as? String == "pending" }.compactMap {
                ($0["nextAttemptAt"] as? String).flatMap { RFC3339.date(from: $0) }
            }
            if followSchedule, let next = due.max(), next > clock.now() {
                clock.set(next.addingTimeInterval(0.001))
                runtime.wakeWorkers()
            }
            try await Task.sleep(for: .milliseconds(150))
        }
        throw TestFailure("deliveries did not settle: \(last.map { "\($0["status"] ?? "?") \($0["attempts"] ?? "?")" })")
    }
}

enum WebhookCheckers {
    /// Verifies each request with the `standardwebhooks` package; returns how many verified.
    static func verifyV1(_ requests: [WebhookReceiver.Received], secret: String) async throws -> Int {
        let script = """
            import json, sys
            from standardwebhooks import Webhook
            data = json.load(sys.stdin)
            wh = Webhook(data["secret"])
            ok = 0
            for r in data["requests"]:
                wh.verify(r["body"].encode(), r["headers"])
                ok += 1
            print(ok)
            """
        let input = try JSONSerialization.data(withJSONObject: [
            "secret": secret, "requests": requests.map { ["headers": $0.headers, "body": $0.text] },
        ])
        return Int(try await PythonCheckers.shared.run(script: script, input: input).trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }

    /// Verifies each `v1a` signature with `cryptography`'s Ed25519 against the `whpk_` key;
    /// returns how many verified.
    static func verifyV1a(_ requests: [WebhookReceiver.Received], publicKey: String) async throws -> Int {
        let script = """
            import base64, json, sys
            from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
            data = json.load(sys.stdin)
            key = Ed25519PublicKey.from_public_bytes(base64.b64decode(data["key"][len("whpk_"):]))
            ok = 0
            for r in data["requests"]:
                h = r["headers"]
                content = f'{h["webhook-id"]}.{h["webhook-timestamp"]}.{r["body"]}'.encode()
                for sig in h["webhook-signature"].split(" "):
                    version, value = sig.split(",", 1)
                    if version == "v1a":
                        key.verify(base64.b64decode(value), content)
                        ok += 1
                        break
            print(ok)
            """
        let input = try JSONSerialization.data(withJSONObject: [
            "key": publicKey, "requests": requests.map { ["headers": $0.headers, "body": $0.text] },
        ])
        return Int(try await PythonCheckers.shared.run(script: script, input: input).trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }
}
