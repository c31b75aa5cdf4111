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

    /// Writes everything buffered so far.
    public func flush() async {
        while !buffer.isEmpty {
            let batch = Array(buffer.prefix(500))
            buffer.removeFirst(batch.count)
            do {
                try await repository.insert(batch)
            } catch {
                logger.error("request log write failed", metadata: ["rows": "\(batch.count)", "error": "\(String(reflecting: error))"])
                return
            }
        }
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
