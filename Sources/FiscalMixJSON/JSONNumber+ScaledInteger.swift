public import Foundation

extension JSONNumber {
    /// The exact sum of numbers, or nil when one of them is binary (a double from arithmetic),
    /// whose sum is not exact anyway. Plain decimals — fiscal amounts — are added as 64-bit
    /// integers scaled to the most fraction digits seen; Foundation's `Decimal` (which allocates
    /// at every addition: half of a JMESPath `sum` over 1,700 amounts) takes over only for an
    /// exponent, more than 18 digits or an overflow.
    public static func exactSum(_ numbers: [JSONNumber]) -> Decimal? {
        var significand: Int64 = 0
        var scale = 0
        var iterator = numbers.makeIterator()
        while let number = iterator.next() {
            if number.isBinary { return nil }
            guard let (value, digits) = number.scaledInteger,
                let (total, common) = Self.add(significand, scale, value, digits)
            else {
                // Leave the fast path: the rest in Decimal, from what was summed so far.
                guard var exact = number.decimalValue else { return nil }
                exact += Self.decimal(significand, scale: scale)
                while let rest = iterator.next() {
                    guard !rest.isBinary, let value = rest.decimalValue else { return nil }
                    exact += value
                }
                return exact
            }
            (significand, scale) = (total, common)
        }
        return Self.decimal(significand, scale: scale)
    }

    /// `significand / 10^scale`.
    static func decimal(_ significand: Int64, scale: Int) -> Decimal {
        Decimal(sign: significand < 0 ? .minus : .plus, exponent: -scale, significand: Decimal(significand.magnitude))
    }

    /// The number as an integer and a count of fraction digits (`-12.50` → (-1250, 2)), when
    /// it is plain decimal text of at most 18 digits.
    var scaledInteger: (Int64, Int)? {
        switch storage {
        case .integer(let i): return (i, 0)
        case .double: return nil
        case .decimal(var text):
            // Read as bytes in place (a validator compares every amount with its bounds).
            return text.withUTF8 { bytes -> (Int64, Int)? in
                var magnitude: Int64 = 0
                var digits = 0, fraction = 0
                var negative = false, seenPoint = false
                for offset in bytes.indices {
                    let byte = bytes[offset]
                    switch byte {
                    case UInt8(ascii: "-") where offset == 0: negative = true
                    case UInt8(ascii: ".") where !seenPoint: seenPoint = true
                    case UInt8(ascii: "0")...UInt8(ascii: "9"):
                        digits += 1
                        if digits > 18 { return nil }
                        magnitude = magnitude * 10 + Int64(byte - UInt8(ascii: "0"))
                        if seenPoint { fraction += 1 }
                    default: return nil
                    }
                }
                return digits > 0 ? (negative ? -magnitude : magnitude, fraction) : nil
            }
        }
    }

    /// `a / 10^aScale + b / 10^bScale` at the larger scale; nil on overflow.
    private static func add(_ a: Int64, _ aScale: Int, _ b: Int64, _ bScale: Int) -> (Int64, Int)? {
        guard let a = scaled(a, by: max(0, bScale - aScale)), let b = scaled(b, by: max(0, aScale - bScale)) else { return nil }
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? nil : (sum, max(aScale, bScale))
    }

    /// `value * 10^digits`; nil on overflow.
    static func scaled(_ value: Int64, by digits: Int) -> Int64? {
        var value = value
        for _ in 0..<digits {
            let (product, overflow) = value.multipliedReportingOverflow(by: 10)
            if overflow { return nil }
            value = product
        }
        return value
    }
}
