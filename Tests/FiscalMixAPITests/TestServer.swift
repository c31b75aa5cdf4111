import FiscalMixAPI
import FiscalMixApp
import FiscalMixCore
import FiscalMixHTTPEdge
import FiscalMixSecrets
import FiscalMixTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import NIOFoundationCompat
import Synchronization

@testable import FiscalMixDatabase
@testable import FiscalMixIdentity

/// A live FiscalMix server on a fresh test database, with a hand-moved clock and every log line
/// captured.
struct TestServer {
    let client: any TestClientProtocol
    let runtime: FiscalMixRuntime
    let clock: TestClock
    let logs: LogCapture
    /// Every response body and header seen, for "no secret in any response" checks.
    let transcript: Transcript

    static func run(
        workers: Bool = false,
        lane: TestLane = .normal,
        configure: @Sendable (inout AppConfiguration) -> Void = { _ in },
        _ body: @Sendable (TestServer) async throws -> Void
    ) async throws {
        try await TestLaneGate.shared.run(lane) { try await runInLane(workers: workers, configure: configure, body) }
    }

    private static func runInLane(
        workers: Bool,
        configure: @Sendable (inout AppConfiguration) -> Void,
        _ body: @Sendable (TestServer) async throws -> Void
    ) async throws {
        let database = try await TestDatabase.make()
        let logs = LogCapture()
        let clock = TestClock()
        do {
            var configuration = try testConfiguration(database: database)
            configure(&configuration)
            let runtime = try await FiscalMixRuntime.start(configuration, clock: clock, logger: logs.logger())
            let app = runtime.buildApplication(workers: workers)
            // A failing test's error is held and thrown once the server has stopped: thrown inside
            // `test`, a failure of the client's own shutdown on that path would skip the graceful
            // stop, and the cancelled server can trap on a connection it accepted but never served
            // ("Deinited NIOAsyncWriter without calling finish()").
            let failure = Mutex<String?>(nil)
            try await app.test(.live) { client in
                do {
                    try await body(TestServer(client: client, runtime: runtime, clock: clock, logs: logs, transcript: Transcript()))
                } catch {
                    failure.withLock { $0 = String(reflecting: error) }
                }
            }
            if let failure = failure.withLock({ $0 }) { throw TestFailure(failure) }
        } catch {
            await database.remove()
            throw error
        }
        await database.remove()
    }

    // MARK: Requests

    @discardableResult
    func request(
        _ method: HTTPRequest.Method, _ uri: String, json: Any? = nil, auth: Auth? = nil,
        headers extra: [String: String] = [:], rawBody: String? = nil, rawBytes: Data? = nil
    ) async throws -> TestResponse {
        var headers = HTTPFields()
        var body: ByteBuffer?
        if let json {
            headers[.contentType] = "application/json"
            body = ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys]))
        } else if let rawBody {
            headers[.contentType] = "application/json"
            body = ByteBuffer(string: rawBody)
        } else if let rawBytes {
            body = ByteBuffer(bytes: rawBytes)
        }
        switch auth {
        case .bearer(let token)?: headers[.authorization] = "Bearer \(token)"
        case .cookie(let token)?: headers[.cookie] = "fm_session=\(token)"
        case nil: break
        }
        for (name, value) in extra { headers[HTTPField.Name(name)!] = value }
        let response = try await client.execute(uri: uri, method: method, headers: headers, body: body) { response in
            TestResponse(status: response.status.code, headers: response.headers, body: Data(buffer: response.body))
        }
        transcript.record(response)
        return response
    }

    enum Auth {
        case bearer(String)
        case cookie(String)
    }

    // MARK: Fixtures

    struct Owner {
        let accountId: UUID
        let userId: UUID
        let email: String
        let password: String
    }

    /// Creates an account and its owner directly through the service (as `admin create` does).
    func createAccount(_ name: String = "Acme \(UUID().uuidString.prefix(6))", email: String? = nil, staff: Bool = false) async throws -> Owner {
        let email = email ?? "owner-\(UUID().uuidString.prefix(8).lowercased())@example.com"
        let password = "correct horse \(UUID().uuidString.prefix(8))"
        var request = AccountService.NewAccount(accountName: name, ownerName: "Owner", ownerEmail: email, ownerPassword: password)
        request.ownerIsStaff = staff
        let (account, user) = try await runtime.services.accounts.createAccount(request)
        return Owner(accountId: account.id, userId: user.id, email: email, password: password)
    }

    /// Signs in with a password (no MFA) and returns the session token from the cookie.
    func login(_ email: String, _ password: String) async throws -> String {
        let response = try await request(.post, "/v1/auth/login", json: ["email": email, "password": password])
        guard response.status == 200, let token = response.cookie("fm_session") else {
            throw TestFailure("login failed: \(response.status) \(response.text)")
        }
        return token
    }

    func createApiKey(session: String, scopes: [String], name: String = "test key") async throws -> (id: String, key: String) {
        let response = try await request(.post, "/v1/api-keys", json: ["name": name, "scopes": scopes], auth: .cookie(session))
        guard response.status == 201, let key = response.json["key"] as? String,
            let id = (response.json["apiKey"] as? [String: Any])?["id"] as? String
        else { throw TestFailure("api key creation failed: \(response.status) \(response.text)") }
        return (id, key)
    }

    /// An admin API key for a new account, stored directly (as `ApiKeyService` stores it): one
    /// bcrypt hash (the owner's password) instead of three, which keeps heavy suites from starving
    /// the tests that measure sign-in. API key creation itself is tested in ApiKeyTests.
    func ownerApiKey() async throws -> (owner: Owner, auth: Auth) {
        let owner = try await createAccount()
        let secret = OpaqueToken.generate(prefix: "fmk_")
        let key = ApiKey(
            id: ID.make(), accountId: owner.accountId, name: "test key", prefix: String(secret.prefix(12)), scopes: [.admin],
            status: .active, createdByUserId: owner.userId, lastUsedAt: nil, expiresAt: nil, revokedAt: nil, createdAt: clock.now())
        try await ApiKeyRepository(database: runtime.database).insert(key, hash: OpaqueToken.sha256Hex(secret))
        return (owner, .bearer(secret))
    }

    /// Waits for buffered request-log rows to reach the database.
    func flushRequestLogs() async {
        await runtime.services.requestLogWriter.flush()
    }
}

struct TestResponse: Sendable {
    let status: Int
    let headers: HTTPFields
    let body: Data

    var text: String { String(decoding: body, as: UTF8.self) }
    var json: [String: Any] { ((try? JSONSerialization.jsonObject(with: body)) as? [String: Any]) ?? [:] }
    var items: [[String: Any]] { json["items"] as? [[String: Any]] ?? [] }
    var code: String? { json["code"] as? String }

    func cookie(_ name: String) -> String? {
        for value in headers[values: .setCookie] {
            let pair = value.split(separator: ";")[0]
            let parts = pair.split(separator: "=", maxSplits: 1)
            if parts.count == 2, parts[0] == name { return String(parts[1]) }
        }
        return nil
    }
}

/// All responses of one test, searchable.
final class Transcript: Sendable {
    private let entries = LockedArray()
    func record(_ response: TestResponse) {
        let headers = response.headers.map { "\($0.name): \($0.value)" }.joined(separator: "\n")
        entries.append(headers + "\n" + response.text)
    }
    var text: String { entries.all.joined(separator: "\n") }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
