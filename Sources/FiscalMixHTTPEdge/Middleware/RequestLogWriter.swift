import FiscalMixDatabase
public import FiscalMixIdentity
import Foundation
public import Logging
public import ServiceLifecycle
import Synchronization

/// Buffers request-log rows and writes them in batches, so logging every API call costs the
/// request path an append under a lock rather than an INSERT. Rows still buffered at shutdown
/// are flushed.
public final class RequestLogWriter: Service, Sendable {
    package let repository: RequestLogBook
    package let logger: Logger
    package let flushInterval: Duration
    package let maxBuffered: Int
    private let buffer = Mutex<[RequestLogEntry]>([])
    private let flusher: Flusher

    public init(repository: RequestLogBook, logger: Logger, flushInterval: Duration = .milliseconds(250), maxBuffered: Int = 50_000) {
        self.repository = repository
        self.logger = logger
        self.flushInterval = flushInterval
        self.maxBuffered = maxBuffered
        self.flusher = Flusher(repository: repository, logger: logger)
    }

    public func append(_ entry: RequestLogEntry) {
        buffer.withLock { buffer in
            // Under a write outage, shed the oldest rows rather than grow without bound.
            if buffer.count >= maxBuffered { buffer.removeFirst(buffer.count - maxBuffered + 1) }
            buffer.append(entry)
        }
    }

    /// Writes everything buffered so far, after any write already under way, so that when it
    /// returns every row appended before the call is in the database.
    public func flush() async {
        await flusher.flush {
            self.buffer.withLock { rows in
                defer { rows.removeAll(keepingCapacity: true) }; return rows
            }
        }
    }

    public func run() async throws {
        await withGracefulShutdownHandler {
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                try? await Task.sleep(for: flushInterval)
                await flush()
            }
        } onGracefulShutdown: {
        }
        await flush()
    }

    /// Serialises flushes: one batch in flight at a time, in order. Each flush is a task that
    /// first waits for the one before it, then takes the rows and writes them — a chain, so no
    /// waiter ever re-checks shared state in a loop (which could spin on the actor).
    package actor Flusher {
        package let repository: RequestLogBook
        package let logger: Logger
        package var tail: Task<Void, Never>?

        package init(repository: RequestLogBook, logger: Logger) {
            self.repository = repository
            self.logger = logger
        }

        package func flush(take: @escaping @Sendable () -> [RequestLogEntry]) async {
            let previous = tail
            let task = Task { [repository, logger] in
                await previous?.value
                let rows = take()
                guard !rows.isEmpty else { return }
                do {
                    try await repository.record(rows)
                } catch {
                    logger.error("request log write failed", metadata: ["rows": "\(rows.count)", "error": "\(String(reflecting: error))"])
                }
            }
            tail = task
            await task.value
        }
    }
}
