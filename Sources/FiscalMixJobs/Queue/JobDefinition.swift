public import FiscalMixCore
import Foundation

/// How one job type runs: its handler, attempts, timeout and retry policy.
public struct JobDefinition: Sendable {
    public let type: String
    public let maxAttempts: Int
    /// A handler running longer is cancelled and the attempt counts as failed (`timed_out`).
    public let timeout: Duration
    public let retry: RetryPolicy
    public let handler: @Sendable (JobContext) async throws -> Void

    public init(
        type: String, maxAttempts: Int = 5, timeout: Duration = .seconds(300), retry: RetryPolicy = .default,
        handler: @escaping @Sendable (JobContext) async throws -> Void
    ) {
        self.type = type
        self.maxAttempts = maxAttempts
        self.timeout = timeout
        self.retry = retry
        self.handler = handler
    }
}

/// What a handler sees. Handlers must be idempotent: delivery is at-least-once (a worker that
/// dies after doing the work but before recording it makes the job run again).
public struct JobContext: Sendable {
    public let job: Job
    /// 1 for the first try.
    public var attempt: Int { job.attempts }
    public var payload: String? { job.payload }
}

/// The handlers a worker process knows.
public struct JobRegistry: Sendable {
    var definitions: [String: JobDefinition] = [:]

    public init(_ definitions: [JobDefinition] = []) {
        for definition in definitions { register(definition) }
    }

    public mutating func register(_ definition: JobDefinition) {
        definitions[definition.type] = definition
    }

    public subscript(type: String) -> JobDefinition? { definitions[type] }

    /// The shortest handler timeout, which sets how often the worker's watchdog looks.
    var shortestTimeout: Duration { definitions.values.map(\.timeout).min() ?? .seconds(300) }
}
