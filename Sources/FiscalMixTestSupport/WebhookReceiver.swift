import FiscalMixSefazPeer
public import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// A local webhook receiver for delivery tests: `POST /hooks/{key}` records every request
/// (headers, body, arrival) and answers as the key's script says — a status, a `Retry-After`,
/// a delay — so a test can play a healthy receiver, a flaky one, a gone one or a slow one.
public final class WebhookReceiver: Sendable {
    public struct Received: Sendable {
        public let headers: [String: String]
        public let body: [UInt8]
        public let at: Date
        public func header(_ name: String) -> String? { headers[name.lowercased()] }
        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    public struct Answer: Sendable {
        public var status: Int
        public var retryAfter: String?
        public var delayMs: Int
        public init(status: Int = 200, retryAfter: String? = nil, delayMs: Int = 0) {
            self.status = status
            self.retryAfter = retryAfter
            self.delayMs = delayMs
        }
    }

    /// What to answer to the n-th request (1-based) of a key.
    public typealias Script = @Sendable (_ call: Int) -> Answer

    private let received = Mutex<[String: [Received]]>([:])
    private let scripts = Mutex<[String: Script]>([:])
    public let port: Int

    private init(port: Int) { self.port = port }

    public func url(_ key: String) -> String { "http://127.0.0.1:\(port)/hooks/\(key)" }

    public func script(_ key: String, _ script: @escaping Script) { scripts.withLock { $0[key] = script } }

    public func requests(_ key: String) -> [Received] { received.withLock { $0[key] ?? [] } }

    /// Waits (real time) until `key` has seen `count` requests.
    public func waitFor(_ key: String, count: Int, timeout: Duration = .seconds(20)) async throws -> [Received] {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let got = requests(key)
            if got.count >= count { return got }
            try await Task.sleep(for: .milliseconds(20))
        }
        return requests(key)
    }

    public static func run<T: Sendable>(_ body: @Sendable (WebhookReceiver) async throws -> T) async throws -> T {
        let router = Router()
        let holder = Mutex<WebhookReceiver?>(nil)
        router.post("/hooks/:key") { request, context -> Response in
            guard let receiver = holder.withLock({ $0 }) else { return Response(status: .serviceUnavailable) }
            let key = context.parameters.get("key") ?? ""
            let body = try await request.body.collect(upTo: 1 << 20)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            let call = receiver.received.withLock { all in
                all[key, default: []].append(Received(headers: headers, body: Array(buffer: body), at: Date()))
                return all[key]!.count
            }
            let answer = receiver.scripts.withLock { $0[key] }?(call) ?? Answer()
            if answer.delayMs > 0 { try await Task.sleep(for: .milliseconds(answer.delayMs)) }
            var out = HTTPFields()
            if let retryAfter = answer.retryAfter { out[HTTPField.Name("Retry-After")!] = retryAfter }
            return Response(status: .init(code: answer.status), headers: out, body: .init(byteBuffer: ByteBuffer(string: "answer \(answer.status)")))
        }
        var logger = Logger(label: "webhook-receiver")
        logger.logLevel = .critical
        return try await LocalServer.run(
            logger: logger,
            makeApp: { onServerRunning in
                Application(
                    router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), onServerRunning: onServerRunning,
                    logger: logger)
            },
            makeServer: { port in
                let receiver = WebhookReceiver(port: port)
                holder.withLock { $0 = receiver }
                return receiver
            }, body)
    }
}
