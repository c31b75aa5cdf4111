public import FiscalMixCore
public import FiscalMixDatabase
import FiscalMixIdentity
public import FiscalMixJSON
import FiscalMixJSONSchema
public import Foundation
import Synchronization

/// The account's event-type catalogue: names, descriptions and payload schemas (JSON Schema
/// draft 2020-12, compiled when saved so a broken schema is refused at once).
public struct EventTypeService: Sendable {
    let database: Database
    let repository: EventTypeRepository
    let clock: any WallClock

    public init(database: Database, clock: any WallClock) {
        self.database = database
        repository = EventTypeRepository(database: database)
        self.clock = clock
    }

    public func create(_ principal: Principal, _ input: EventTypeInput) async throws -> EventTypeView {
        try principal.require(.webhooksWrite)
        guard let name = input.name else { throw FiscalMixError.validation("name", "An event type needs a name.") }
        guard EventType.isValidName(name) else {
            throw FiscalMixError.validation("name", "A name is dot-separated words of letters, digits, '_' and '-' (up to 255 characters).")
        }
        guard !EventType.builtIn.contains(where: { $0.name == name }) else {
            throw WebhooksError(.conflict, .eventTypeExists, "'\(name)' is a built-in event type.")
        }
        let now = clock.now()
        let type = EventType(
            id: ID.make(now: now), accountId: principal.accountId, name: name, description: try Self.description(input.description),
            payloadSchemaJSON: try Self.schemaText(input.payloadSchema), createdAt: now, updatedAt: now)
        do {
            try await repository.insert(type)
        } catch  where database.isUniqueViolation(error) {
            throw WebhooksError(.conflict, .eventTypeExists, "This account already has an event type named '\(name)'.")
        }
        return EventTypeView(type)
    }

    public func list(_ principal: Principal, page: PageRequest) async throws -> Page<EventTypeView> {
        try principal.require(.webhooksRead)
        let found = try await repository.list(accountId: principal.accountId, page: page)
        return Page(items: found.items.map(EventTypeView.init), nextCursor: found.nextCursor)
    }

    public func get(_ principal: Principal, id: UUID) async throws -> EventTypeView {
        try principal.require(.webhooksRead)
        return EventTypeView(try await find(id, principal))
    }

    /// Changes the description and schema (the name is the type's identity and stays).
    public func update(_ principal: Principal, id: UUID, _ input: EventTypeInput) async throws -> EventTypeView {
        try principal.require(.webhooksWrite)
        var type = try await find(id, principal)
        if let name = input.name, name != type.name {
            throw FiscalMixError.validation("name", "An event type's name cannot change; create a new type.")
        }
        if input.description != nil { type.description = try Self.description(input.description) }
        if input.payloadSchema != nil { type.payloadSchemaJSON = try Self.schemaText(input.payloadSchema) }
        if input.removeSchema == true { type.payloadSchemaJSON = nil }
        type.updatedAt = clock.now()
        try await repository.update(type)
        return EventTypeView(type)
    }

    public func delete(_ principal: Principal, id: UUID) async throws {
        try principal.require(.webhooksWrite)
        guard try await repository.delete(id: id, accountId: principal.accountId) else { throw FiscalMixError.notFound("Event type") }
    }

    /// Whether `name` is known to the account, and its compiled schema if it has one.
    func resolve(_ name: String, accountId: UUID) async throws -> (known: Bool, schema: JSONSchema?) {
        if EventType.builtIn.contains(where: { $0.name == name }) { return (true, nil) }
        guard let type = try await repository.find(name: name, accountId: accountId) else { return (false, nil) }
        guard let text = type.payloadSchemaJSON else { return (true, nil) }
        return (true, try SchemaCache.shared.schema(text))
    }

    func find(_ id: UUID, _ principal: Principal) async throws -> EventType {
        guard let type = try await repository.find(id: id, accountId: principal.accountId) else { throw FiscalMixError.notFound("Event type") }
        return type
    }

    static func description(_ text: String?) throws -> String? {
        guard let text else { return nil }
        guard text.count <= 2000 else { throw FiscalMixError.validation("description", "A description has at most 2,000 characters.") }
        return text
    }

    /// Compiles the schema to prove it is one; stores its text.
    static func schemaText(_ schema: JSON?) throws -> String? {
        guard let schema else { return nil }
        guard case .object = schema else { throw FiscalMixError.validation("payloadSchema", "payloadSchema is a JSON Schema object.") }
        let text = schema.serialized(sortedKeys: true)
        guard text.utf8.count <= 256 * 1024 else { throw FiscalMixError.validation("payloadSchema", "payloadSchema is at most 256 KiB.") }
        do {
            _ = try SchemaCache.shared.schema(text)
        } catch {
            throw WebhooksError(.unprocessable, .invalidSchema, "payloadSchema is not a valid JSON Schema: \(error)")
        }
        return text
    }
}

/// Compiled payload schemas by their text: a schema is compiled once per process, not per event.
final class SchemaCache: Sendable {
    static let shared = SchemaCache()
    private let compiled = Mutex<[String: JSONSchema]>([:])

    func schema(_ text: String) throws -> JSONSchema {
        if let hit = compiled.withLock({ $0[text] }) { return hit }
        let schema = try JSONSchema(compiling: try JSON(parsing: text))
        compiled.withLock { cache in
            if cache.count >= 500 { cache.removeAll() }
            cache[text] = schema
        }
        return schema
    }
}

public struct EventTypeInput: Sendable, Decodable {
    public var name: String?
    public var description: String?
    public var payloadSchema: JSON?
    /// PATCH only: drops the schema.
    public var removeSchema: Bool?
}

public struct EventTypeView: Sendable, Encodable {
    public let id: UUID
    public let name: String
    public let description: String?
    public let payloadSchema: JSON?
    public let createdAt: Date
    public let updatedAt: Date

    init(_ t: EventType) {
        id = t.id
        name = t.name
        description = t.description
        payloadSchema = t.payloadSchemaJSON.flatMap { try? JSON(parsing: $0) }
        createdAt = t.createdAt
        updatedAt = t.updatedAt
    }
}
