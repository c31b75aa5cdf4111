/// An email address normalised the way FiscalMix compares them: trimmed and lower-cased.
/// Validation is deliberately structural (one `@`, a dotted domain, no spaces) — deliverability
/// is proven by the invite flow, not by a regex.
public struct EmailAddress: Sendable, Hashable, CustomStringConvertible {
    public let value: String

    public init(_ raw: String) throws(FiscalMixError) {
        let trimmed = raw.trimmingWhitespace().lowercased()
        let parts = trimmed.split(separator: "@", omittingEmptySubsequences: false)
        guard trimmed.count <= 254, parts.count == 2, !parts[0].isEmpty, parts[0].count <= 64,
            parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
            !trimmed.contains(where: { $0.isWhitespace || $0.isNewline || $0 == "," || $0 == "<" || $0 == ">" })
        else {
            throw .validation("email", "Enter a valid email address.")
        }
        value = trimmed
    }

    public var description: String { value }
}

extension String {
    public func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace || f.isNewline { s.removeFirst() }
        while let l = s.last, l.isWhitespace || l.isNewline { s.removeLast() }
        return String(s)
    }
}
