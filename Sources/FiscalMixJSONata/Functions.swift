import FiscalMixJSON
import Foundation

/// Value semantics shared by the evaluator and the built-ins: truthiness, equality, string
/// conversion with JavaScript's number formatting, sequence appending, copying, sorting.
enum Functions {
    /// The effective boolean value; `nil` for undefined.
    static func boolean(_ value: Value?) -> Bool? {
        guard let value else { return nil }
        switch value {
        case .null: return false
        case .bool(let b): return b
        case .number(let n): return n != 0
        case .string(let s): return !s.isEmpty
        case .object(let o): return !o.isEmpty
        case .function: return false
        case .array(let a):
            if a.count == 1 { return boolean(a[0]) ?? false }
            return a.items.contains { boolean($0) == true }
        }
    }

    static func isInteger(_ value: Value) -> Bool {
        if case .number(let n) = value { return n.rounded() == n && n.isFinite }
        return false
    }

    static func deepEqual(_ lhs: Value, _ rhs: Value) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.number(let a), .number(let b)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.array(let a), .array(let b)):
            if a === b { return true }
            guard a.count == b.count else { return false }
            return zip(a.items, b.items).allSatisfy { deepEqual($0, $1) }
        case (.object(let a), .object(let b)):
            if a === b { return true }
            guard a.count == b.count else { return false }
            return a.entries.allSatisfy { entry in b[entry.key].map { deepEqual(entry.value, $0) } ?? false }
        case (.function(let a), .function(let b)): return a === b
        default: return false
        }
    }

    /// JavaScript's `===`: values for primitives, identity for arrays, objects and functions.
    static func strictEqual(_ lhs: Value, _ rhs: Value) -> Bool {
        switch (lhs, rhs) {
        case (.array(let a), .array(let b)): return a === b
        case (.object(let a), .object(let b)): return a === b
        case (.function(let a), .function(let b)): return a === b
        default: return deepEqual(lhs, rhs)
        }
    }

    /// String order by UTF-16 code units, as JavaScript compares strings.
    static func compareStrings(_ a: String, _ b: String) -> Int {
        if a == b { return 0 }
        return a.utf16.lexicographicallyPrecedes(b.utf16) ? -1 : 1
    }

    /// `fn.append`: concatenates, treating a non-array as a singleton; undefined is ignored.
    static func append(_ lhs: Value?, _ rhs: Value?) -> Value? {
        guard let lhs else { return rhs }
        guard let rhs else { return lhs }
        var items: [Value] = lhs.arrayValue?.items ?? [lhs]
        if case .array(let right) = rhs { items.append(contentsOf: right.items) } else { items.append(rhs) }
        return .array(JArray(items))
    }

    static func deepCopy(_ value: Value) -> Value {
        switch value {
        case .array(let a):
            let copy = JArray(a.items.map(deepCopy))
            copy.isSequence = a.isSequence
            return .array(copy)
        case .object(let o): return .object(JObject(o.entries.map { ($0.key, deepCopy($0.value)) }))
        default: return value
        }
    }

    /// A stable merge sort; `after(a, b)` says whether `a` must come after `b`.
    static func mergeSort<T>(_ items: [T], after: (T, T) throws -> Bool) rethrows -> [T] {
        if items.count <= 1 { return items }
        let middle = items.count / 2
        let left = try mergeSort(Array(items[..<middle]), after: after)
        let right = try mergeSort(Array(items[middle...]), after: after)
        var merged: [T] = []
        merged.reserveCapacity(items.count)
        var i = 0, j = 0
        while i < left.count, j < right.count {
            if try after(left[i], right[j]) {
                merged.append(right[j])
                j += 1
            } else {
                merged.append(left[i])
                i += 1
            }
        }
        merged.append(contentsOf: left[i...])
        merged.append(contentsOf: right[j...])
        return merged
    }

    // MARK: strings

    /// `$string`: strings unchanged, functions empty, everything else as JSON with numbers to
    /// 15 significant digits.
    static func string(_ value: Value, pretty: Bool = false) throws -> String {
        switch value {
        case .string(let s): return s
        case .function: return ""
        case .number(let n) where !n.isFinite: throw JSONataError("D3001", value: .string(jsNumber(n)))
        case .array(let a) where a.outerWrapper && !a.isEmpty: return try jsonText(a[0], pretty: pretty)
        default: return try jsonText(value, pretty: pretty)
        }
    }

    static func jsonText(_ value: Value, pretty: Bool) throws -> String {
        var out = ""
        try writeJSON(value, pretty: pretty, indent: 0, into: &out)
        return out
    }

    private static func writeJSON(_ value: Value, pretty: Bool, indent: Int, into out: inout String) throws {
        switch value {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let n):
            guard n.isFinite else { throw JSONataError("D1001", value: .string(jsNumber(n))) }
            // 15 significant digits, as the reference prints non-integers
            out += jsNumber(n.rounded() == n ? n : Double(String(format: "%.14e", n)) ?? n)
        case .string(let s): writeQuoted(s, into: &out)
        case .function: out += "\"\""
        case .array(let a):
            if a.isEmpty { out += "[]"; return }
            out += "["
            for (index, item) in a.items.enumerated() {
                if index > 0 { out += "," }
                if pretty { out += "\n" + String(repeating: " ", count: indent + 2) }
                try writeJSON(item, pretty: pretty, indent: indent + 2, into: &out)
            }
            if pretty { out += "\n" + String(repeating: " ", count: indent) }
            out += "]"
        case .object(let o):
            if o.isEmpty { out += "{}"; return }
            out += "{"
            for (index, entry) in o.entries.enumerated() {
                if index > 0 { out += "," }
                if pretty { out += "\n" + String(repeating: " ", count: indent + 2) }
                writeQuoted(entry.key, into: &out)
                out += pretty ? ": " : ":"
                try writeJSON(entry.value, pretty: pretty, indent: indent + 2, into: &out)
            }
            if pretty { out += "\n" + String(repeating: " ", count: indent) }
            out += "}"
        }
    }

    static func writeQuoted(_ s: String, into out: inout String) { JSON.writeString(s, to: &out) }

    /// A value as it appears in a message or a signature (strings bare).
    static func displayString(_ value: Value) -> String {
        if case .string(let s) = value { return s }
        return (try? jsonText(value, pretty: false)) ?? ""
    }

    /// JavaScript's `Number.prototype.toString()`.
    static func jsNumber(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Infinity" : "Infinity" }
        if value == 0 { return "0" }
        if value.rounded() == value, abs(value) < 1e21 {
            if abs(value) < 9.2e18 { return String(Int64(value)) }
        }
        let negative = value < 0
        var text = "\(abs(value))"
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(text[text.index(after: e)...]) ?? 0
            text = String(text[..<e])
        }
        var point = text.firstIndex(of: ".").map { text.distance(from: text.startIndex, to: $0) } ?? text.count
        var digits = Array(text.replacingOccurrences(of: ".", with: ""))
        point += exponent
        while digits.first == "0", digits.count > 1 {
            digits.removeFirst()
            point -= 1
        }
        while digits.last == "0", digits.count > 1 { digits.removeLast() }
        let k = digits.count
        let n = point
        var result: String
        if k <= n, n <= 21 {
            result = String(digits) + String(repeating: "0", count: n - k)
        } else if 0 < n, n <= 21 {
            result = String(digits[..<n]) + "." + String(digits[n...])
        } else if -6 < n, n <= 0 {
            result = "0." + String(repeating: "0", count: -n) + String(digits)
        } else {
            let e = n - 1
            let sign = e < 0 ? "-" : "+"
            result = String(digits[0]) + (k > 1 ? "." + String(digits[1...]) : "") + "e" + sign + String(abs(e))
        }
        return negative ? "-" + result : result
    }
}
