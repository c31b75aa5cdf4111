public import FiscalMixCore
public import FiscalMixDatabase
import FiscalMixIdentity
public import FiscalMixJSON
import FiscalMixTransforms
public import Foundation
import Synchronization

/// Event mappings (docs/data-model.md): save a transform for (event type, target system) as its next
/// version, read them, retire one, and preview one on a sample payload.
public struct EventMappingService: Sendable {
    let database: Database
    let repository: EventMappingRepository
    let clock: any WallClock

    public init(database: Database, clock: any WallClock) {
        self.database = database
        repository = EventMappingRepository(database: database)
        self.clock = clock
    }

    public func save(_ principal: Principal, _ input: EventMappingInput) async throws -> EventMappingView {
        try principal.require(.webhooksWrite)
        guard let eventType = input.eventType, EventType.isValidName(eventType) else {
            throw FiscalMixError.validation("eventType", "eventType is an event-type name.")
        }
        guard let target = input.targetSystem, (1...255).contains(target.count) else {
            throw FiscalMixError.validation("targetSystem", "targetSystem (an endpoint's systemName) has 1 to 255 characters.")
        }
        guard let profileName = input.profile, let profile = PayloadTransform.Profile(rawValue: profileName) else {
            throw FiscalMixError.validation("profile", "profile is jsonata, jmespath or custom.")
        }
        let definition: JSON
        switch profile {
        case .jsonata, .jmespath:
            guard let expression = input.expression, input.template == nil else {
                throw FiscalMixError.validation("expression", "A \(profile.rawValue) mapping has an expression (and no template).")
            }
            definition = .string(expression)
        case .custom:
            guard let template = input.template, input.expression == nil else {
                throw FiscalMixError.validation("template", "A custom mapping has a template object (and no expression).")
            }
            definition = template
        }
        do {
            _ = try PayloadTransform(profile: profile, definition: definition)
        } catch {
            throw WebhooksError(.unprocessable, .invalidMapping, "The mapping does not compile: \(error)")
        }
        let mapping = EventMapping(
            id: ID.make(now: clock.now()), accountId: principal.accountId, eventType: eventType, targetSystem: target,
            profile: profile.rawValue, mappingJSON: definition.serialized(), version: 0, active: true, createdAt: clock.now())
        do {
            return EventMappingView(try await repository.insertNextVersion(mapping))
        } catch  where database.isUniqueViolation(error) {
            throw WebhooksError(.conflict, .mappingVersionConflict, "Another version was saved at the same moment; save again.")
        }
    }

    public func list(_ principal: Principal, eventType: String?, page: PageRequest) async throws -> Page<EventMappingView> {
        try principal.require(.webhooksRead)
        let found = try await repository.list(accountId: principal.accountId, eventType: eventType, page: page)
        return Page(items: found.items.map(EventMappingView.init), nextCursor: found.nextCursor)
    }

    public func get(_ principal: Principal, id: UUID) async throws -> EventMappingView {
        try principal.require(.webhooksRead)
        return EventMappingView(try await find(id, principal))
    }

    public func deactivate(_ principal: Principal, id: UUID) async throws {
        try principal.require(.webhooksWrite)
        guard try await repository.deactivate(id: id, accountId: principal.accountId) else { throw FiscalMixError.notFound("Event mapping") }
    }

    /// Runs the mapping on `sample`: the result, or the error with its position in the expression.
    public func preview(_ principal: Principal, id: UUID, sample: JSON) async throws -> MappingPreview {
        try principal.require(.webhooksRead)
        let mapping = try await find(id, principal)
        do {
            return MappingPreview(ok: true, result: try MappingCache.shared.transform(mapping).apply(to: sample), error: nil)
        } catch let failure as PayloadTransform.Failure {
            return MappingPreview(ok: false, result: nil, error: .init(code: failure.code, message: failure.message, position: failure.position))
        }
    }

    func find(_ id: UUID, _ principal: Principal) async throws -> EventMapping {
        guard let m = try await repository.find(id: id, accountId: principal.accountId) else { throw FiscalMixError.notFound("Event mapping") }
        return m
    }
}

/// Compiled mappings by id (a version never changes), so a delivery does not recompile.
final class MappingCache: Sendable {
    static let shared = MappingCache()
    private let compiled = Mutex<[UUID: PayloadTransform]>([:])

    func transform(_ mapping: EventMapping) throws -> PayloadTransform {
        if let hit = compiled.withLock({ $0[mapping.id] }) { return hit }
        guard let profile = PayloadTransform.Profile(rawValue: mapping.profile) else {
            throw PayloadTransform.Failure(code: "invalid_mapping", message: "unknown profile \(mapping.profile)", position: nil)
        }
        let transform = try PayloadTransform(profile: profile, definition: try JSON(parsing: mapping.mappingJSON))
        compiled.withLock { cache in
            if cache.count >= 1_000 { cache.removeAll() }
            cache[mapping.id] = transform
        }
        return transform
    }
}

public struct EventMappingInput: Sendable, Decodable {
    public var eventType: String?
    public var targetSystem: String?
    public var profile: String?
    /// The JSONata or JMESPath expression.
    public var expression: String?
    /// The `custom` profile's template: an object whose string leaves are JMESPath expressions.
    public var template: JSON?
}

public struct PreviewInput: Sendable, Decodable {
    public var sample: JSON?
}

public struct MappingPreview: Sendable, Encodable {
    public let ok: Bool
    public let result: JSON?
    public let error: Failure?

    public struct Failure: Sendable, Encodable {
        public let code: String
        public let message: String
        /// Where in the expression (UTF-16 offset) the error arose.
        public let position: Int?
    }
}

public struct EventMappingView: Sendable, Encodable {
    public let id: UUID
    public let eventType: String
    public let targetSystem: String
    public let profile: String
    public let expression: String?
    public let template: JSON?
    public let version: Int
    public let active: Bool
    public let createdAt: Date

    init(_ m: EventMapping) {
        id = m.id
        eventType = m.eventType
        targetSystem = m.targetSystem
        profile = m.profile
        let definition = (try? JSON(parsing: m.mappingJSON)) ?? .null
        expression = definition.stringValue
        template = definition.stringValue == nil ? definition : nil
        version = m.version
        active = m.active
        createdAt = m.createdAt
    }
}
