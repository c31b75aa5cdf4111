public import Foundation

/// A JSON number that remembers how it was written. Integers that fit 64 bits are kept as
/// integers; other numbers keep their decimal text and compare through `Decimal` when it can hold
/// them exactly, through `Double` otherwise.
public struct JSONNumber: Sendable, Hashable, CustomStringConvertible {
    enum Storage: Sendable, Hashable {
        case integer(Int64)
        case decimal(String)  // canonical JSON number text
        case double(Double)
    }

    let storage: Storage

    public init(_ value: Int) { storage = .integer(Int64(value)) }
    public init(_ value: Int64) { storage = .integer(value) }

    public init(_ value: Double) {
        if value.rounded() == value, abs(value) < 9.007_199_254_740_992e15 {
            storage = .integer(Int64(value))
        } else {
            storage = .double(value)
        }
    }

    /// An exact decimal (sums and averages of fiscal amounts stay exact).
    public init(decimal: Decimal) {
        if let int = Int64(exactly: NSDecimalNumber(decimal: decimal).doubleValue), Decimal(int) == decimal {
            storage = .integer(int)
        } else if decimal.isNaN {
            storage = .double(.nan)
        } else {
            storage = .decimal(decimal.description)
        }
    }

    /// From JSON number text (already validated by the parser).
    init(text: String) {
        if let int = Int64(text) {
            storage = .integer(int)
        } else {
            storage = .decimal(text)
        }
    }

    public var doubleValue: Double {
        switch storage {
        case .integer(let i): Double(i)
        case .decimal(let text): Double(text) ?? .nan
        case .double(let d): d
        }
    }

    public var int64Value: Int64? {
        switch storage {
        case .integer(let i): return i
        case .decimal, .double:
            let d = doubleValue
            guard d.rounded() == d, abs(d) < 9.2e18 else { return nil }
            return Int64(d)
        }
    }

    public var isInteger: Bool { int64Value != nil }

    public var isBinary: Bool { if case .double = storage { return true }; return false }

    /// Exact decimal value when representable (fiscal amounts), for comparison and arithmetic.
    public var decimalValue: Decimal? {
        switch storage {
        case .integer(let i): return Decimal(i)
        case .decimal(let text):
            // Plain text (`-123.45`, up to 18 digits) without a locale-aware parser: summing
            // and comparing fiscal amounts is a hot path.
            if let (significand, scale) = scaledInteger { return Self.decimal(significand, scale: scale) }
            return Decimal(string: text, locale: Self.posix)
        case .double(let d): return d.isFinite ? Decimal(d) : nil
        }
    }

    private static let posix = Locale(identifier: "en_US_POSIX")

    public var description: String {
        switch storage {
        case .integer(let i): return String(i)
        case .decimal(let text): return text
        case .double(let d):
            if d.isNaN || d.isInfinite { return "null" }
            return d.description.replacingOccurrences(of: "e+", with: "e")
        }
    }

    public static func == (lhs: JSONNumber, rhs: JSONNumber) -> Bool { compare(lhs, rhs) == 0 }

    public func hash(into hasher: inout Hasher) {
        if let i = int64Value { hasher.combine(i) } else { hasher.combine(doubleValue) }
    }

    /// -1, 0 or 1.
    public static func compare(_ lhs: JSONNumber, _ rhs: JSONNumber) -> Int {
        if case .integer(let a) = lhs.storage, case .integer(let b) = rhs.storage { return a < b ? -1 : (a > b ? 1 : 0) }
        if let (a, aScale) = lhs.scaledInteger, let (b, bScale) = rhs.scaledInteger,
            let a = scaled(a, by: max(0, bScale - aScale)), let b = scaled(b, by: max(0, aScale - bScale))
        {
            return a < b ? -1 : (a > b ? 1 : 0)  // plain decimals at one scale, as integers
        }
        if !lhs.isBinary, !rhs.isBinary, let a = lhs.decimalValue, let b = rhs.decimalValue, !a.isNaN, !b.isNaN {
            return a < b ? -1 : (a > b ? 1 : 0)
        }
        let a = lhs.doubleValue, b = rhs.doubleValue
        return a < b ? -1 : (a > b ? 1 : 0)
    }
}
