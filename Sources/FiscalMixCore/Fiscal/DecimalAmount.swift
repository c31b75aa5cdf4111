/// A monetary amount kept as its decimal text (`1234.56`), so fiscal values never pass through
/// binary floating point. The text is canonical: no leading zeros, no sign unless negative, and at
/// least two fraction digits (`10` becomes `10.00`, `0.125` stays `0.125`).
public struct DecimalAmount: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    public let text: String

    public init?(_ raw: String) {
        var digits = Substring(raw.trimmingWhitespace())
        let negative = digits.hasPrefix("-")
        if negative { digits = digits.dropFirst() }
        let parts = digits.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let whole = parts.first, !whole.isEmpty, whole.allSatisfy(\.isASCIIDigit) else { return nil }
        var fraction = parts.count == 2 ? String(parts[1]) : ""
        guard fraction.allSatisfy(\.isASCIIDigit), parts.count == 1 || !fraction.isEmpty else { return nil }
        while fraction.count < 2 { fraction += "0" }
        let trimmedWhole = whole.drop { $0 == "0" }
        let wholeText = trimmedWhole.isEmpty ? "0" : String(trimmedWhole)
        let isZero = wholeText == "0" && fraction.allSatisfy { $0 == "0" }
        text = (negative && !isZero ? "-" : "") + wholeText + "." + fraction
    }

    public var description: String { text }

    public static func < (lhs: DecimalAmount, rhs: DecimalAmount) -> Bool {
        let (ln, rn) = (lhs.text.hasPrefix("-"), rhs.text.hasPrefix("-"))
        if ln != rn { return ln }
        let magnitudeLess = Self.magnitudeLess(lhs.text.drop { $0 == "-" }, rhs.text.drop { $0 == "-" })
        let equal = lhs.text == rhs.text
        return ln ? (!magnitudeLess && !equal) : magnitudeLess
    }

    private static func magnitudeLess(_ a: Substring, _ b: Substring) -> Bool {
        let ap = a.split(separator: "."), bp = b.split(separator: ".")
        if ap[0].count != bp[0].count { return ap[0].count < bp[0].count }
        if ap[0] != bp[0] { return ap[0] < bp[0] }
        let width = max(ap[1].count, bp[1].count)
        let af = ap[1].padding(toLength: width), bf = bp[1].padding(toLength: width)
        return af < bf
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let raw = try container.decode(String.self)
        guard let amount = DecimalAmount(raw) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(raw)' is not a decimal amount.")
        }
        self = amount
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }
}

private extension Character {
    var isASCIIDigit: Bool { asciiValue.map { $0 >= 48 && $0 <= 57 } ?? false }
}

private extension Substring {
    func padding(toLength width: Int) -> String { String(self) + String(repeating: "0", count: width - count) }
}
