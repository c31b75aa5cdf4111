import FiscalMixSefazPeer
public import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// A local HTTP server that misbehaves on request, for outbound-client tests: slow answers,
/// chosen status codes, failures that stop after N calls, `Retry-After`, large bodies, and a
/// count of calls in flight. Listens on 127.0.0.1 on a free port.
public final class ChaosServer: Sendable {
    public struct Stats: Sendable {
        public var calls = 0
        public var inFlight = 0
        public var maxInFlight = 0
        public var callTimes: [Date] = []
        /// The last call's Authorization header and query string.
        public var lastAuthorization: String?
        public var lastQuery: String?

        mutating func record(at now: Date, authorization: String?, query: String?) -> Int {
            lastAuthorization = authorization
            lastQuery = query
            calls += 1
            inFlight += 1
            maxInFlight = max(maxInFlight, inFlight)
            callTimes.append(now)
            return calls
        }
    }

    private let stats = Mutex<[String: Stats]>([:])
    private let tokens = Mutex<(issued: Int, valid: Set<String>)>((0, []))

    /// The OAuth client this server's token endpoint accepts.
    public static let oauthClient = (id: "fiscalmix-client", secret: "client-secret-\(UUID().uuidString)")

    /// Makes every token issued so far invalid (the resource answers 401 to them).
    public func revokeTokens() { tokens.withLock { $0.valid = [] } }
    public var tokensIssued: Int { tokens.withLock { $0.issued } }
    public let port: Int

    private init(port: Int) { self.port = port }

    public var baseURL: String { "http://127.0.0.1:\(port)" }

    public func stats(_ key: String) -> Stats { stats.withLock { $0[key] ?? Stats() } }

    /// Starts a server, runs `body` with it, stops it.
    public static func run<T: Sendable>(_ body: @Sendable (ChaosServer) async throws -> T) async throws -> T {
        let router = Router()
        let holder = Holder()
        addRoutes(to: router, holder: holder)
        var logger = Logger(label: "chaos")
        logger.logLevel = .critical
        return try await LocalServer.run(
            logger: logger,
            makeApp: { onServerRunning in
                Application(
                    router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                    onServerRunning: onServerRunning, logger: logger)
            },
            makeServer: { port in
                let server = ChaosServer(port: port)
                holder.server.withLock { $0 = server }
                return server
            }, body)
    }

    private final class Holder: Sendable {
        let server = Mutex<ChaosServer?>(nil)
    }

    private func enter(_ key: String, _ request: Request? = nil) -> Int {
        let now = Date()
        let authorization = request?.headers[.authorization]
        let query = request?.uri.query
        return stats.withLock { all in
            // In place: a copy out of the dictionary would copy `callTimes` (every call so far)
            // on each call, under the lock — quadratic, and it dominated the outbound benchmark.
            all[key, default: Stats()].record(at: now, authorization: authorization, query: query)
        }
    }

    private func leave(_ key: String) {
        stats.withLock { all in all[key]?.inFlight -= 1 }
    }

    private static func addRoutes(to router: Router<BasicRequestContext>, holder: Holder) {
        @Sendable func server() -> ChaosServer { holder.server.withLock { $0! } }
        @Sendable func int(_ request: Request, _ name: String, _ fallback: Int) -> Int {
            request.uri.queryParameters.get(name).flatMap { Int($0) } ?? fallback
        }
        // GET /call/{key}?ms=&status=&failures=&failStatus=&retryAfter=&bytes=
        //   counts the call under key; sleeps ms; the first `failures` calls answer failStatus
        //   (with Retry-After when given); then status (default 200) with `bytes` bytes of body.
        let handler: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, context in
            let key = context.parameters.get("key") ?? "default"
            let server = server()
            let call = server.enter(key, request)
            defer { server.leave(key) }
            let ms = int(request, "ms", 0)
            if ms > 0 { try await Task.sleep(for: .milliseconds(ms)) }
            var headers = HTTPFields()
            var status = int(request, "status", 200)
            if call <= int(request, "failures", 0) {
                status = int(request, "failStatus", 503)
                if let retryAfter = request.uri.queryParameters.get("retryAfter") {
                    headers[HTTPField.Name("Retry-After")!] = String(retryAfter)
                }
            }
            let bytes = int(request, "bytes", 2)
            let body = ByteBuffer(repeating: UInt8(ascii: "x"), count: bytes)
            return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: body))
        }
        router.get("/call/:key", use: handler)
        router.post("/call/:key", use: handler)
        // OAuth 2.0 client credentials (RFC 6749 §4.4): Basic client authentication, form body.
        router.post("/oauth/token") { request, _ -> Response in
            let server = server()
            _ = server.enter("token", request)
            defer { server.leave("token") }
            let expected = "Basic " + Data("\(oauthClient.id):\(oauthClient.secret)".utf8).base64EncodedString()
            let form = String(buffer: try await request.body.collect(upTo: 4096))
            guard request.headers[.authorization] == expected, form.contains("grant_type=client_credentials") else {
                return Response(status: .unauthorized, body: .init(byteBuffer: ByteBuffer(string: #"{"error":"invalid_client"}"#)))
            }
            let token = server.tokens.withLock { state in
                state.issued += 1
                let token = "access-\(state.issued)-\(UUID().uuidString)"
                state.valid.insert(token)
                return token
            }
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            return Response(
                status: .ok, headers: headers,
                body: .init(byteBuffer: ByteBuffer(string: #"{"access_token":"\#(token)","token_type":"Bearer","expires_in":3600}"#)))
        }
        router.get("/oauth/resource") { request, _ -> Response in
            let server = server()
            _ = server.enter("resource", request)
            defer { server.leave("resource") }
            let presented = request.headers[.authorization].map { String($0.dropFirst("Bearer ".count)) } ?? ""
            let valid = server.tokens.withLock { $0.valid.contains(presented) }
            return Response(status: valid ? .ok : .unauthorized)
        }
        router.get("/echo-headers") { request, _ -> String in
            request.headers.map { "\($0.name): \($0.value)" }.joined(separator: "\n")
        }
    }
}
