public import Foundation

/// A durable unit of background work (docs/data-model.md Job). A job waiting for its next retry is
/// `queued` with `attempts > 0`; `failed` is final without being dead-lettered (a "do not retry"
/// answer); `dead` means the attempts ran out and a dead-letter row keeps the reason.
public struct Job: Sendable, Codable, Equatable {
    public enum Status: String, Sendable, Codable, CaseIterable { case queued, running, success, failed, dead, cancelled }

    public var id: UUID
    public var accountId: UUID?
    public var type: String
    public var queue: String
    public var status: Status
    public var priority: Int
    public var attempts: Int
    public var maxAttempts: Int
    public var runAt: Date
    /// JSON text.
    public var payload: String?
    public var idempotencyKey: String?
    public var leaseOwner: String?
    public var leaseExpiresAt: Date?
    /// JSON text: `{"message": …, "kind": …}` of the last failure.
    public var lastError: String?
    public var correlationId: String?
    public var createdAt: Date
    public var updatedAt: Date
    public var startedAt: Date?
    public var finishedAt: Date?

    public init(
        id: UUID, accountId: UUID?, type: String, queue: String, status: Status, priority: Int, attempts: Int, maxAttempts: Int,
        runAt: Date, payload: String?, idempotencyKey: String?, leaseOwner: String?, leaseExpiresAt: Date?, lastError: String?,
        correlationId: String?, createdAt: Date, updatedAt: Date, startedAt: Date?, finishedAt: Date?
    ) {
        self.id = id
        self.accountId = accountId
        self.type = type
        self.queue = queue
        self.status = status
        self.priority = priority
        self.attempts = attempts
        self.maxAttempts = maxAttempts
        self.runAt = runAt
        self.payload = payload
        self.idempotencyKey = idempotencyKey
        self.leaseOwner = leaseOwner
        self.leaseExpiresAt = leaseExpiresAt
        self.lastError = lastError
        self.correlationId = correlationId
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
    }
}

/// What to enqueue.
public struct NewJob: Sendable {
    /// Set when the caller must know the id before the insert (a delivery points at its job).
    public var id: UUID?
    public var type: String
    public var queue: String
    public var accountId: UUID?
    public var payload: String?
    public var priority: Int
    public var runAt: Date?
    public var maxAttempts: Int
    public var idempotencyKey: String?
    public var correlationId: String?

    public init(
        type: String, queue: String = "default", accountId: UUID? = nil, payload: String? = nil, priority: Int = 0,
        runAt: Date? = nil, maxAttempts: Int = 5, idempotencyKey: String? = nil, correlationId: String? = nil, id: UUID? = nil
    ) {
        self.id = id
        self.type = type
        self.queue = queue
        self.accountId = accountId
        self.payload = payload
        self.priority = priority
        self.runAt = runAt
        self.maxAttempts = maxAttempts
        self.idempotencyKey = idempotencyKey
        self.correlationId = correlationId
    }
}

/// One attempt of a job (docs/data-model.md Run).
public struct JobRun: Sendable, Codable, Equatable {
    public enum Status: String, Sendable, Codable { case running, success, failed, timedOut = "timed_out", lost, cancelled }
    public var id: UUID
    public var jobId: UUID
    public var attempt: Int
    public var status: Status
    public var worker: String?
    public var startedAt: Date
    public var finishedAt: Date?
    public var error: String?

    public init(id: UUID, jobId: UUID, attempt: Int, status: Status, worker: String?, startedAt: Date, finishedAt: Date?, error: String?) {
        self.id = id
        self.jobId = jobId
        self.attempt = attempt
        self.status = status
        self.worker = worker
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.error = error
    }
}
