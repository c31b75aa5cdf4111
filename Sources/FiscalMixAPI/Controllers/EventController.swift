import FiscalMixCore
import FiscalMixDatabase
import FiscalMixHTTPEdge
import FiscalMixWebhooks
import Foundation
import HTTPTypes
import Hummingbird

/// `/v1/events` (integration events: ingest, read, replay), `/v1/event-types` (the catalogue)
/// and `/v1/event-mappings` (per-target transforms, with a preview).
struct EventController {
    let events: EventService
    let types: EventTypeService
    let mappings: EventMappingService

    func addRoutes(to group: CatalogedGroup) {
        group.post("/events") { request, context in
            var request = request
            let input = try await request.decodeJSON(EventInput.self, context: context)
            let (event, created) = try await events.ingest(try context.requirePrincipal(), input)
            // A repeated id answers 200 with the event the first call created.
            return JSONResponse(created ? .created : .ok, headers: [.location: "/v1/events/\(event.id.lowercased)"], event)
        }
        group.get("/events", query: .list("type", "status")) { request, context in
            let type = try request.textQuery("type")
            let status = try request.enumQuery("status", as: IntegrationEvent.Status.self)
            return JSONResponse(
                ListBody(
                    try await events.list(
                        try context.requirePrincipal(), type: type, status: status,
                        page: try request.pageRequest())))
        }
        group.get("/events/:id") { _, context in
            JSONResponse(try await events.get(try context.requirePrincipal(), id: try context.id("id", "Event")))
        }
        group.post("/events/:id/replay") { _, context in
            JSONResponse(.accepted, try await events.replay(try context.requirePrincipal(), id: try context.id("id", "Event")))
        }

        group.post("/event-types") { request, context in
            var request = request
            let input = try await request.decodeJSON(EventTypeInput.self, context: context)
            let view = try await types.create(try context.requirePrincipal(), input)
            return JSONResponse(.created, headers: [.location: "/v1/event-types/\(view.id.lowercased)"], view)
        }
        group.get("/event-types", query: .list()) { request, context in
            JSONResponse(ListBody(try await types.list(try context.requirePrincipal(), page: try request.pageRequest())))
        }
        group.get("/event-types/:id") { _, context in
            JSONResponse(try await types.get(try context.requirePrincipal(), id: try context.id("id", "Event type")))
        }
        group.patch("/event-types/:id") { request, context in
            var request = request
            let input = try await request.decodeJSON(EventTypeInput.self, context: context)
            return JSONResponse(try await types.update(try context.requirePrincipal(), id: try context.id("id", "Event type"), input))
        }
        group.delete("/event-types/:id") { _, context in
            try await types.delete(try context.requirePrincipal(), id: try context.id("id", "Event type"))
            return Response(status: .noContent)
        }

        group.post("/event-mappings") { request, context in
            var request = request
            let input = try await request.decodeJSON(EventMappingInput.self, context: context)
            let view = try await mappings.save(try context.requirePrincipal(), input)
            return JSONResponse(.created, headers: [.location: "/v1/event-mappings/\(view.id.lowercased)"], view)
        }
        group.get("/event-mappings", query: .list("eventType")) { request, context in
            JSONResponse(
                ListBody(
                    try await mappings.list(
                        try context.requirePrincipal(), eventType: try request.textQuery("eventType"),
                        page: try request.pageRequest())))
        }
        group.get("/event-mappings/:id") { _, context in
            JSONResponse(try await mappings.get(try context.requirePrincipal(), id: try context.id("id", "Event mapping")))
        }
        group.delete("/event-mappings/:id") { _, context in
            try await mappings.deactivate(try context.requirePrincipal(), id: try context.id("id", "Event mapping"))
            return Response(status: .noContent)
        }
        group.post("/event-mappings/:id/preview") { request, context in
            var request = request
            let input = try await request.decodeJSON(PreviewInput.self, context: context)
            guard let sample = input.sample else { throw FiscalMixError.validation("sample", "sample is the payload to run the mapping on.") }
            return JSONResponse(try await mappings.preview(try context.requirePrincipal(), id: try context.id("id", "Event mapping"), sample: sample))
        }
    }
}
