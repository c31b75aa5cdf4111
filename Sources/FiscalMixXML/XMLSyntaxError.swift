/// Why a document could not be read, and where: `offset` counts bytes from the start of the
/// input, `line` and `column` are 1-based (column in bytes).
public struct XMLSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case unexpectedEnd = "unexpected_end"
        case malformed
        case mismatchedTag = "mismatched_tag"
        case undeclaredPrefix = "undeclared_prefix"
        case duplicateAttribute = "duplicate_attribute"
        case unknownEntity = "unknown_entity"
        /// DTDs are refused outright: no entity expansion, no external fetches.
        case doctypeNotAllowed = "doctype_not_allowed"
        case tooDeep = "too_deep"
        case tooLarge = "too_large"
        case noRootElement = "no_root_element"
        case contentAfterRoot = "content_after_root"
    }

    public let code: Code
    public let message: String
    public let offset: Int
    public let line: Int
    public let column: Int

    public var description: String { "\(message) (line \(line), column \(column))" }
}

/// Bounds that keep a hostile document from exhausting a worker.
public struct XMLLimits: Sendable {
    public var maxDepth: Int
    public var maxBytes: Int
    public var maxElements: Int

    public init(maxDepth: Int = 256, maxBytes: Int = 64 << 20, maxElements: Int = 2_000_000) {
        self.maxDepth = maxDepth
        self.maxBytes = maxBytes
        self.maxElements = maxElements
    }
}
