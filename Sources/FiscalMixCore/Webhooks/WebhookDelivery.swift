public import Foundation

/// One event on its way to one endpoint (docs/data-model.md `webhook_deliveries`). `messageId` is the
/// Standard Webhooks `webhook-id`: the same on every attempt and every replay, so receivers can
/// deduplicate.
public struct WebhookDelivery: Sendable, Equatable {
    public enum Status: String, Sendable, Codable, CaseIterable {
        case pending
        case succeeded
        /// Refused for good (a 4xx that retrying cannot fix); replayable.
        case failed
        /// The retry schedule ran out; a dead-letter row keeps the reason; replayable.
        case dead
    }

    public var id: UUID
    public var accountId: UUID
    public var endpointId: UUID
    public var eventId: UUID
    public var jobId: UUID?
    public var messageId: String
    public var status: Status
    public var attempts: Int
    public var lastAttemptAt: Date?
    public var nextAttemptAt: Date?
    public var responseCode: Int?
    public var lastError: String?
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: UUID, accountId: UUID, endpointId: UUID, eventId: UUID, jobId: UUID?, messageId: String, status: Status, attempts: Int,
        lastAttemptAt: Date?, nextAttemptAt: Date?, responseCode: Int?, lastError: String?, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.accountId = accountId
        self.endpointId = endpointId
        self.eventId = eventId
        self.jobId = jobId
        self.messageId = messageId
        self.status = status
        self.attempts = attempts
        self.lastAttemptAt = lastAttemptAt
        self.nextAttemptAt = nextAttemptAt
        self.responseCode = responseCode
        self.lastError = lastError
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// The job type that carries deliveries: payload `{"deliveryId": "…"}`, or
    /// `{"deliveryIds": […], "eventId": "…"}` for an event's first attempts.
    public static let jobType = "webhook.deliver"

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// The `webhook-id` of a delivery: `msg_` and its id's 32 hex digits. Written from the
    /// id's bytes: through `replacingOccurrences` it was ~0.9% of all CPU samples of a
    /// saturated webhook run (perf).
    public static func messageId(for id: UUID) -> String {
        let digits = hexDigits
        var text: [UInt8] = Array("msg_".utf8)
        text.reserveCapacity(36)
        withUnsafeBytes(of: id.uuid) { bytes in
            for byte in bytes {
                text.append(digits[Int(byte >> 4)])
                text.append(digits[Int(byte & 0x0F)])
            }
        }
        return String(decoding: text, as: UTF8.self)
    }
}

/// One HTTP attempt of a delivery (docs/data-model.md columns plus latency and the answer's first 4 KB).
public struct WebhookDeliveryAttempt: Sendable, Equatable {
    public var id: UUID
    public var deliveryId: UUID
    public var attempt: Int
    public var requestedAt: Date
    public var latencyMs: Int?
    public var responseCode: Int?
    public var responseExcerpt: String?
    public var error: String?

    public init(
        id: UUID, deliveryId: UUID, attempt: Int, requestedAt: Date, latencyMs: Int?, responseCode: Int?, responseExcerpt: String?,
        error: String?
    ) {
        self.id = id
        self.deliveryId = deliveryId
        self.attempt = attempt
        self.requestedAt = requestedAt
        self.latencyMs = latencyMs
        self.responseCode = responseCode
        self.responseExcerpt = responseExcerpt
        self.error = error
    }

    /// How much of an answer is kept.
    public static let excerptBytes = 4096
}
