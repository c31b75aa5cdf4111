import FiscalMixXML

/// Why a payload could not be read as a fiscal document. `code` is stable and stored in a sync
/// run's `error_summary`.
public struct DFeParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case malformedXML = "malformed_xml"
        case unknownRoot = "unknown_root"
        case missingField = "missing_field"
        case invalidField = "invalid_field"
        case tooLarge = "too_large"
        case notGzip = "not_gzip"
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
