import FiscalMixCore
import FiscalMixIdentity
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOFoundationCompat

extension Request {
    /// Decodes a JSON body, turning malformed JSON and missing or mistyped fields into a 422
    /// that names the field, instead of a generic 400.
    mutating func decodeJSON<T: Decodable>(_ type: T.Type, context: AppRequestContext) async throws -> T {
        if let contentType = headers[.contentType], !contentType.lowercased().hasPrefix("application/json") {
            throw FiscalMixError(.badRequest, code: "unsupported_media_type", "Send the body as application/json.")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await collectBody(upTo: context.maxUploadSize)
        } catch {
            throw FiscalMixError(.badRequest, code: "body_too_large", "The request body is larger than \(context.maxUploadSize) bytes.")
        }
        guard buffer.readableBytes > 0 else {
            throw FiscalMixError(.badRequest, code: "body_required", "This request needs a JSON body.")
        }
        do {
            return try context.requestDecoder.decode(T.self, from: Data(buffer: buffer))
        } catch let DecodingError.keyNotFound(key, ctx) {
            throw FiscalMixError.validation(Self.path(ctx.codingPath + [key]), "Field '\(Self.path(ctx.codingPath + [key]))' is required.")
        } catch let DecodingError.typeMismatch(_, ctx), let DecodingError.valueNotFound(_, ctx) {
            throw FiscalMixError.validation(Self.path(ctx.codingPath), "Field '\(Self.path(ctx.codingPath))' has the wrong type.")
        } catch let DecodingError.dataCorrupted(ctx) where !ctx.codingPath.isEmpty {
            throw FiscalMixError.validation(Self.path(ctx.codingPath), "Field '\(Self.path(ctx.codingPath))' is not valid.")
        } catch {
            throw FiscalMixError(.badRequest, code: "malformed_json", "The body is not valid JSON of the expected shape.")
        }
    }

    static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }
}

extension AppRequestContext {
    /// A UUID path parameter. A malformed id names no resource, so it answers 404 like a foreign one.
    func id(_ name: String = "id", _ what: String) throws -> UUID {
        guard let raw = parameters.get(name), let id = UUID(uuidString: raw) else { throw FiscalMixError.notFound(what) }
        return id
    }
}
