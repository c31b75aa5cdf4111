import FiscalMixCore
import FiscalMixIdentity
public import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOFoundationCompat

extension Request {
    /// Decodes a JSON body, turning malformed JSON and missing or mistyped fields into a 422
    /// that names the field, instead of a generic 400.
    package mutating func decodeJSON<T: Decodable>(_ type: T.Type, context: AppRequestContext) async throws -> T {
        guard let value = try await decodeJSON(type, context: context, required: true) else {
            throw RequestError(.badRequest, .bodyRequired, "This request needs a JSON body.")
        }
        return value
    }

    /// As `decodeJSON`, but an empty body is nil (for actions whose body is optional).
    package mutating func decodeJSONIfPresent<T: Decodable>(_ type: T.Type, context: AppRequestContext) async throws -> T? {
        try await decodeJSON(type, context: context, required: false)
    }

    private mutating func decodeJSON<T: Decodable>(_ type: T.Type, context: AppRequestContext, required: Bool) async throws -> T? {
        if let contentType = headers[.contentType], !contentType.lowercased().hasPrefix("application/json") {
            throw RequestError(.badRequest, .unsupportedMediaType, "Send the body as application/json.")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await collectBody(upTo: context.maxUploadSize)
        } catch {
            throw RequestError(.payloadTooLarge, .bodyTooLarge, "The request body is larger than \(context.maxUploadSize) bytes.")
        }
        guard buffer.readableBytes > 0 else { return nil }
        let data = Data(buffer: buffer)
        // NUL cannot be stored in PostgreSQL text and has no business in any field here.
        if let object = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]), Self.containsNUL(object) {
            throw RequestError(.unprocessable, .invalidCharacter, "Text fields must not contain the NUL character.")
        }
        do {
            return try context.requestDecoder.decode(T.self, from: data)
        } catch let DecodingError.keyNotFound(key, ctx) {
            throw FiscalMixError.validation(Self.path(ctx.codingPath + [key]), "Field '\(Self.path(ctx.codingPath + [key]))' is required.")
        } catch let DecodingError.typeMismatch(_, ctx), let DecodingError.valueNotFound(_, ctx) {
            throw FiscalMixError.validation(Self.path(ctx.codingPath), "Field '\(Self.path(ctx.codingPath))' has the wrong type.")
        } catch let DecodingError.dataCorrupted(ctx) where !ctx.codingPath.isEmpty {
            throw FiscalMixError.validation(Self.path(ctx.codingPath), "Field '\(Self.path(ctx.codingPath))' is not valid.")
        } catch {
            throw RequestError(.badRequest, .malformedJson, "The body is not valid JSON of the expected shape.")
        }
    }

    package static func containsNUL(_ value: Any) -> Bool {
        switch value {
        case let string as String: return string.unicodeScalars.contains("\u{0}")
        case let array as [Any]: return array.contains(where: containsNUL)
        case let object as [String: Any]: return object.contains { containsNUL($0.key) || containsNUL($0.value) }
        default: return false
        }
    }

    package static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }
}

extension Request {
    /// A text query parameter, bounded and free of control characters.
    package func textQuery(_ name: String, maxLength: Int = 255) throws -> String? {
        guard let raw = uri.queryParameters[Substring(name)] else { return nil }
        let value = String(raw)
        guard value.count <= maxLength, !value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw FiscalMixError.validation(name, "\(name) must be at most \(maxLength) printable characters.")
        }
        return value
    }
}

extension AppRequestContext {
    /// A UUID path parameter. A malformed id names no resource, so it answers 404 like a foreign one.
    package func id(_ name: String = "id", _ what: String) throws -> UUID {
        guard let raw = parameters.get(name), let id = UUID(uuidString: raw) else { throw FiscalMixError.notFound(what) }
        return id
    }
}

extension Request {
    /// A query parameter that must be one of a closed set of values.
    package func enumQuery<T: RawRepresentable & CaseIterable>(_ name: String, as type: T.Type = T.self) throws -> T? where T.RawValue == String {
        guard let text = try textQuery(name, maxLength: 64) else { return nil }
        guard let value = T(rawValue: text) else {
            throw FiscalMixError.validation(name, "\(name) is one of: \(T.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        return value
    }
}
