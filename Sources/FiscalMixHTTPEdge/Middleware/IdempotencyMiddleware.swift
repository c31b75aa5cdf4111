import FiscalMixCore
import FiscalMixDatabase
import FiscalMixIdentity
import FiscalMixSecrets
public import Foundation
public import HTTPTypes
public import Hummingbird
import Logging
public import NIOCore
import NIOFoundationCompat

/// Honours `Idempotency-Key` on authenticated POSTs: the first request runs and its response is
/// kept for 24 hours; the same key with the same body replays it (`Idempotent-Replayed: true`);
/// the same key with another body or route answers 422; a key whose first request is still
/// running answers 409. 5xx responses are not kept, so a retry can succeed.
///
/// Responses marked `Cache-Control: no-store` carry a secret shown once (a new API key); their
/// replay omits the secret fields rather than keep a plaintext secret in the database.
package struct IdempotencyMiddleware: RouterMiddleware {
    package typealias Context = AppRequestContext
    package static let ttl: TimeInterval = 24 * 3600
    package static let secretFields: Set<String> = ["secret", "key", "token", "recoveryCodes", "otpauthUri"]
    package let repository: IdempotencyRepository

    package init(repository: IdempotencyRepository) {
        self.repository = repository
    }

    package func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .post, let key = request.headers[.idempotencyKey], let principal = context.principal else {
            return try await next(request, context)
        }
        guard (1...255).contains(key.utf8.count), key.utf8.allSatisfy({ (0x20...0x7e).contains($0) }) else {
            throw RequestError(.badRequest, .idempotencyKeyInvalid, "Idempotency-Key must be 1 to 255 printable ASCII characters.")
        }
        var request = request
        let body = try await request.collectBody(upTo: context.maxUploadSize)
        let requestHash = OpaqueToken.sha256Hex(
            bytes: Array(request.method.rawValue.utf8) + [0] + Array((context.endpointPath ?? request.uri.path).utf8) + [0]
                + Self.canonicalBody(body))
        let path = context.endpointPath ?? request.uri.path

        switch try await repository.claim(
            accountId: principal.accountId, actorId: principal.actorId, key: key,
            method: request.method.rawValue, path: path, requestHash: requestHash, now: Date(), ttl: Self.ttl)
        {
        case .replay(let stored):
            var headers = HTTPFields()
            for (name, value) in stored.headers { if let field = HTTPField.Name(name) { headers[field] = value } }
            headers[.idempotentReplayed] = "true"
            return Response(status: .init(code: stored.status), headers: headers, body: .init(byteBuffer: ByteBuffer(string: stored.body)))
        case .mismatch:
            throw RequestError(.unprocessable, .idempotencyKeyReused, "This Idempotency-Key was already used with a different request.")
        case .inProgress:
            throw RequestError(.conflict, .idempotencyKeyInProgress, "A request with this Idempotency-Key is still being processed; retry shortly.")
        case .claimed(let id):
            let response: Response
            do {
                response = try await next(request, context)
            } catch {
                let problem = ProblemMiddleware.response(for: error, request: request, context: context)
                return try await store(problem, claim: id)
            }
            return try await store(response, claim: id)
        }
    }

    package func store(_ response: Response, claim id: UUID) async throws -> Response {
        guard response.status.code < 500 else {
            try await repository.release(id: id)
            return response
        }
        var response = response
        let collector = BodyCollector()
        try await response.body.write(collector)
        let bodyBuffer = collector.buffer
        response.body = .init(byteBuffer: bodyBuffer)
        var stored = String(buffer: bodyBuffer)
        if response.headers[.cacheControl]?.contains("no-store") == true { stored = Self.redactSecrets(stored) }
        var headers: [String: String] = [:]
        for field in response.headers where field.name != .setCookie && field.name != .contentLength {
            headers[field.name.canonicalName] = field.value
        }
        try await repository.complete(id: id, response: StoredResponse(status: response.status.code, headers: headers, body: stored))
        return response
    }

    /// JSON bodies compare by content, not bytes: key order and whitespace do not make a
    /// different request. Anything else compares byte for byte.
    package static func canonicalBody(_ body: ByteBuffer) -> [UInt8] {
        let bytes = Array(buffer: body)
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed]),
            let canonical = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .fragmentsAllowed])
        else { return bytes }
        return Array(canonical)
    }

    package static func redactSecrets(_ json: String) -> String {
        guard var object = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any] else { return "{}" }
        for field in secretFields where object[field] != nil { object.removeValue(forKey: field) }
        object["secretOmitted"] = true
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}

/// Collects a response body so it can be stored and sent again.
package final class BodyCollector: ResponseBodyWriter {
    package var buffer = ByteBuffer()
    package func write(_ buffer: ByteBuffer) async throws { self.buffer.writeImmutableBuffer(buffer) }
    package func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
