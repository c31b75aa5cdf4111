/// Why a call did not get an answer. `code` is stable; `message` never holds a secret (headers
/// and bodies are not quoted).
public struct OutboundError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case invalidURL = "invalid_url"
        case addressRefused = "address_refused"
        case circuitOpen = "circuit_open"
        case queueFull = "queue_full"
        case timeout
        case bodyTooLarge = "body_too_large"
        case connectionFailed = "connection_failed"
    }

    public let code: Code
    public let message: String
    /// Attempts made before giving up.
    public var attempts: Int

    public init(_ code: Code, _ message: String, attempts: Int = 0) {
        self.code = code
        self.message = message
        self.attempts = attempts
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
