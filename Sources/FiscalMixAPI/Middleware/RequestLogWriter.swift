import FiscalMixIdentity
import FiscalMixStorage
import Foundation
import HTTPTypes
import Logging
import NIOCore
import NIOFoundationCompat
import ServiceLifecycle

/// Buffers request-log rows and writes them in batches, so logging every API call costs the
/// request path an append rather than an INSERT. Rows still buffered at shutdown are flushed.
public actor RequestLogWriter: Service {
    let repository: RequestLogRepository
    let logger: Logger
    let flushInterval: Duration
    let maxBuffered: Int
    var buffer: [RequestLogEntry] = []
    var inFlight: Task<Void, Never>?

    public init(repository: RequestLogRepository, logger: Logger, flushInterval: Duration = .milliseconds(250), maxBuffered: Int = 50_000) {
        self.repository = repository
        self.logger = logger
        self.flushInterval = flushInterval
        self.maxBuffered = maxBuffered
    }

    public func append(_ entry: RequestLogEntry) {
        // Under a write outage, shed the oldest rows rather than grow without bound.
        if buffer.count >= maxBuffered { buffer.removeFirst(buffer.count - maxBuffered + 1) }
        buffer.append(entry)
    }

    /// Writes everything buffered so far, after any write already under way, so that when it
    /// returns every row appended before the call is in the database.
    public func flush() async {
        // Actor methods interleave at `await`: wait until no other flush is writing.
        while let running = inFlight { await running.value }
        guard !buffer.isEmpty else { return }
        let rows = buffer
        buffer.removeAll(keepingCapacity: true)
        let task = Task { [repository, logger] in
            var start = 0
            while start < rows.count {
                let batch = Array(rows[start..<min(start + 500, rows.count)])
                start += batch.count
                do {
                    try await repository.insert(batch)
                } catch {
                    logger.error("request log write failed", metadata: ["rows": "\(batch.count)", "error": "\(String(reflecting: error))"])
                }
            }
        }
        inFlight = task
        await task.value
        inFlight = nil
    }

    public func run() async throws {
        await withGracefulShutdownHandler {
            while !Task.isCancelledOrShuttingDown {
                try? await Task.sleep(for: flushInterval)
                await flush()
            }
        } onGracefulShutdown: {}
        await flush()
    }
}

extension Task where Success == Never, Failure == Never {
    static var isCancelledOrShuttingDown: Bool { Task.isCancelled || Task.isShuttingDownGracefully }
}
