import Foundation

extension Builtins {
    /// Round half to even, optionally to a number of decimal places (shifted through the
    /// decimal text, as the reference does, so that 2.675 rounds as written).
    static func round(_ value: Double, _ precision: Double?) -> Double {
        var arg = value
        let places = Int(precision ?? 0)
        if places != 0 { arg = shift(arg, places) }
        var result = (arg + 0.5).rounded(.down)  // JavaScript's Math.round
        if abs(result - arg) == 0.5, abs(result.truncatingRemainder(dividingBy: 2)) == 1 { result -= 1 }
        if places != 0 { result = shift(result, -places) }
        return result == 0 ? 0 : result
    }

    private static func shift(_ value: Double, _ places: Int) -> Double {
        let text = Functions.jsNumber(value)
        let parts = text.split(separator: "e", maxSplits: 1)
        let exponent = (parts.count > 1 ? Int(parts[1].replacingOccurrences(of: "+", with: "")) ?? 0 : 0) + places
        return Double("\(parts[0])e\(exponent)") ?? value
    }

    static let numbers: [NativeFunction] = [
        NativeFunction("number", "<(nsb)-:n>") { _, args, _ in
            guard let value = arg(args, 0) else { return nil }
            switch value {
            case .number: return value
            case .bool(let b): return .number(b ? 1 : 0)
            case .string(let text):
                if let number = parseNumber(text) { return .number(number) }
                throw JSONataError("D3030", value: value, index: 1)
            default:
                throw JSONataError("D3030", value: value, index: 1)
            }
        },
        NativeFunction("abs", "<n-:n>") { _, args, _ in arg(args, 0)?.numberValue.map { .number(abs($0)) } },
        NativeFunction("floor", "<n-:n>") { _, args, _ in arg(args, 0)?.numberValue.map { .number($0.rounded(.down)) } },
        NativeFunction("ceil", "<n-:n>") { _, args, _ in arg(args, 0)?.numberValue.map { .number($0.rounded(.up)) } },
        NativeFunction("round", "<n-n?:n>") { _, args, _ in
            arg(args, 0)?.numberValue.map { .number(round($0, arg(args, 1)?.numberValue)) }
        },
        NativeFunction("sqrt", "<n-:n>") { _, args, _ in
            guard let n = arg(args, 0)?.numberValue else { return nil }
            if n < 0 { throw JSONataError("D3060", value: .number(n), index: 1) }
            return .number(n.squareRoot())
        },
        NativeFunction("power", "<n-n:n>") { _, args, _ in
            guard let base = arg(args, 0)?.numberValue else { return nil }
            let result = pow(base, arg(args, 1)?.numberValue ?? .nan)
            if !result.isFinite { throw JSONataError("D3061", value: .number(base), index: 1) }
            return .number(result)
        },
        NativeFunction("random", "<:n>") { _, _, _ in .number(Double.random(in: 0..<1)) },
        NativeFunction("sum", "<a<n>:n>") { _, args, _ in
            guard case .array(let a)? = arg(args, 0) else { return nil }
            return .number(a.items.reduce(0) { $0 + ($1.numberValue ?? 0) })
        },
        NativeFunction("count", "<a:n>") { _, args, _ in .number(Double(arg(args, 0)?.arrayValue?.count ?? 0)) },
        NativeFunction("max", "<a<n>:n>") { _, args, _ in
            guard case .array(let a)? = arg(args, 0), !a.isEmpty else { return nil }
            return .number(a.items.compactMap(\.numberValue).max() ?? .nan)
        },
        NativeFunction("min", "<a<n>:n>") { _, args, _ in
            guard case .array(let a)? = arg(args, 0), !a.isEmpty else { return nil }
            return .number(a.items.compactMap(\.numberValue).min() ?? .nan)
        },
        NativeFunction("average", "<a<n>:n>") { _, args, _ in
            guard case .array(let a)? = arg(args, 0), !a.isEmpty else { return nil }
            return .number(a.items.reduce(0) { $0 + ($1.numberValue ?? 0) } / Double(a.count))
        },
        NativeFunction("formatBase", "<n-n?:s>") { _, args, _ in
            guard let value = arg(args, 0)?.numberValue else { return nil }
            let radix = arg(args, 1)?.numberValue.map { round($0, nil) } ?? 10
            if radix < 2 || radix > 36 { throw JSONataError("D3100", value: .number(radix)) }
            return .string(String(Int64(round(value, nil)), radix: Int(radix)))
        },
        NativeFunction("formatNumber", "<n-so?:s>") { _, args, _ in
            guard let value = arg(args, 0)?.numberValue else { return nil }
            return .string(try NumberPicture.format(value, picture: arg(args, 1)?.stringValue ?? "", options: arg(args, 2)?.objectValue))
        },
        NativeFunction("formatInteger", "<n-s:s>") { _, args, _ in
            guard let value = arg(args, 0)?.numberValue else { return nil }
            return .string(try IntegerPicture.format(value, picture: arg(args, 1)?.stringValue ?? ""))
        },
        NativeFunction("parseInteger", "<s-s:n>") { _, args, _ in
            guard let text = arg(args, 0)?.stringValue else { return nil }
            return try IntegerPicture.parse(text, picture: arg(args, 1)?.stringValue ?? "").map { .number($0) }
        },
    ]

    /// `$number` of a string: JSON-like decimals (leading zeros allowed) and 0x/0b/0o integers.
    static func parseNumber(_ text: String) -> Double? {
        let lower = text.lowercased()
        for (prefix, radix) in [("0x", 16), ("0b", 2), ("0o", 8)] where lower.hasPrefix(prefix) {
            return Int64(lower.dropFirst(2), radix: radix).map(Double.init)
        }
        var chars = Substring(text)
        if chars.first == "-" { chars = chars.dropFirst() }
        let integer = chars.prefix { $0.isASCII && $0.isNumber }
        guard !integer.isEmpty else { return nil }
        var rest = chars.dropFirst(integer.count)
        if rest.first == "." {
            let fraction = rest.dropFirst().prefix { $0.isASCII && $0.isNumber }
            guard !fraction.isEmpty else { return nil }
            rest = rest.dropFirst(1 + fraction.count)
        }
        if rest.first == "e" || rest.first == "E" {
            var exponent = rest.dropFirst()
            if exponent.first == "+" || exponent.first == "-" { exponent = exponent.dropFirst() }
            let digits = exponent.prefix { $0.isASCII && $0.isNumber }
            guard !digits.isEmpty else { return nil }
            rest = exponent.dropFirst(digits.count)
        }
        guard rest.isEmpty, let number = Double(text), number.isFinite else { return nil }
        return number
    }
}
