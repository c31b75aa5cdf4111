import Foundation
public import Logging
import Synchronization

/// Keeps every log line (message and metadata) so tests can search them for secrets.
public final class LogCapture: Sendable {
    private let lines = Mutex<[String]>([])

    public init() {}

    public func append(_ line: String) { lines.withLock { $0.append(line) } }
    public var all: [String] { lines.withLock { $0 } }
    public var text: String { all.joined(separator: "\n") }

    /// A logger at `.trace` that writes here.
    public func logger(label: String = "fiscalmix-test") -> Logger {
        var logger = Logger(label: label) { label in CapturingLogHandler(label: label, capture: self) }
        logger.logLevel = .trace
        return logger
    }
}

public struct CapturingLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .trace
    let label: String
    let capture: LogCapture

    public init(label: String, capture: LogCapture) {
        self.label = label
        self.capture = capture
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var all = metadata
        if let extra = event.metadata { all.merge(extra) { _, new in new } }
        capture.append("\(event.level) \(label): \(event.message) \(all)")
    }
}
