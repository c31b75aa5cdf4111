import Foundation

extension Builtins {
    /// JavaScript's `String.prototype.slice` on code points.
    static func slice(_ scalars: [Unicode.Scalar], _ start: Double, _ end: Double?) -> String {
        let count = Double(scalars.count)
        func clamp(_ value: Double) -> Int {
            let v = value.isNaN ? 0 : value.rounded(.towardZero)
            if v < 0 { return Int(max(count + v, 0)) }
            return Int(min(v, count))
        }
        let from = clamp(start)
        let to = end.map(clamp) ?? scalars.count
        guard from < to else { return "" }
        var result = String.UnicodeScalarView()
        result.append(contentsOf: scalars[from..<to])
        return String(result)
    }

    static func substring(_ text: String, _ start: Double, _ length: Double?) -> String {
        let scalars = Array(text.unicodeScalars)
        var start = start
        if Double(scalars.count) + start < 0 { start = 0 }
        if let length {
            if length <= 0 { return "" }
            let end = start >= 0 ? start + length : Double(scalars.count) + start + length
            return slice(scalars, start, end)
        }
        return slice(scalars, start, nil)
    }

    static let strings: [NativeFunction] = [
        NativeFunction("string", "<x-b?:s>", arity: 1) { _, args, _ in
            guard let value = arg(args, 0) else { return nil }
            return .string(try Functions.string(value, pretty: arg(args, 1).flatMap { Functions.boolean($0) } ?? false))
        },
        NativeFunction("substring", "<s-nn?:s>") { _, args, _ in
            guard case .string(let text)? = arg(args, 0) else { return nil }
            return .string(substring(text, arg(args, 1)?.numberValue ?? 0, arg(args, 2)?.numberValue))
        },
        NativeFunction("substringBefore", "<s-s:s>") { _, args, _ in
            guard case .string(let text)? = arg(args, 0) else { return nil }
            guard case .string(let chars)? = arg(args, 1) else { return .string(text) }
            if chars.isEmpty { return .string("") }
            guard let range = text.range(of: chars) else { return .string(text) }
            return .string(String(text[..<range.lowerBound]))
        },
        NativeFunction("substringAfter", "<s-s:s>") { _, args, _ in
            guard case .string(let text)? = arg(args, 0) else { return nil }
            guard case .string(let chars)? = arg(args, 1), let range = text.range(of: chars) else { return .string(text) }
            return .string(String(text[range.upperBound...]))
        },
        NativeFunction("lowercase", "<s-:s>") { _, args, _ in arg(args, 0)?.stringValue.map { .string($0.lowercased()) } },
        NativeFunction("uppercase", "<s-:s>") { _, args, _ in arg(args, 0)?.stringValue.map { .string($0.uppercased()) } },
        NativeFunction("length", "<s-:n>") { _, args, _ in
            arg(args, 0)?.stringValue.map { .number(Double($0.unicodeScalars.count)) }
        },
        NativeFunction("trim", "<s-:s>") { _, args, _ in
            guard case .string(let text)? = arg(args, 0) else { return nil }
            var result = ""
            var inSpace = false
            for scalar in text.unicodeScalars {
                if scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" {
                    if !inSpace { result.append(" ") }
                    inSpace = true
                } else {
                    result.unicodeScalars.append(scalar)
                    inSpace = false
                }
            }
            if result.hasPrefix(" ") { result.removeFirst() }
            if result.hasSuffix(" ") { result.removeLast() }
            return .string(result)
        },
        NativeFunction("pad", "<s-ns?:s>") { evaluator, args, _ in
            guard case .string(let text)? = arg(args, 0) else { return nil }
            let width = arg(args, 1)?.numberValue ?? 0
            var padChar = arg(args, 2)?.stringValue ?? " "
            if padChar.isEmpty { padChar = " " }
            let padLength = Int(abs(width)) - text.unicodeScalars.count
            guard padLength > 0 else { return .string(text) }
            try evaluator.charge(padLength)
            try evaluator.checkOutputSize(padLength)
            var padding = String(repeating: padChar, count: padLength)
            if padChar.unicodeScalars.count > 1 { padding = substring(padding, 0, Double(padLength)) }
            return .string(width > 0 ? text + padding : padding + text)
        },
        NativeFunction("contains", "<s-(sf):b>") { evaluator, args, call in
            guard case .string(let text)? = arg(args, 0) else { return nil }
            guard let token = arg(args, 1) else { return nil }
            if case .string(let literal) = token { return .bool(literal.isEmpty || text.contains(literal)) }
            var matches = try MatchSequence(arg(args, 1), text: text, evaluator: evaluator, env: call.environment)
            return .bool(try matches.next() != nil)
        },
        NativeFunction("match", "<s-f<s:o>n?:a<o>>") { evaluator, args, call in
            guard case .string(let text)? = arg(args, 0) else { return nil }
            let limit = arg(args, 2)?.numberValue
            if let limit, limit < 0 { throw JSONataError("D3040", value: .number(limit), index: 3) }
            let result = JArray.sequence()
            if limit == nil || limit! > 0 {
                var matches = try MatchSequence(arg(args, 1), text: text, evaluator: evaluator, env: call.environment)
                while limit == nil || Double(result.count) < limit!, let match = try matches.next() {
                    result.append(
                        .object(
                            JObject([
                                ("match", .string(match.match)), ("index", .number(Double(match.start))),
                                ("groups", .array(JArray(match.groups))),
                            ])))
                }
            }
            return .array(result)
        },
        NativeFunction("replace", "<s-(sf)(sf)n?:s>") { evaluator, args, call in
            guard case .string(let text)? = arg(args, 0) else { return nil }
            let pattern = arg(args, 1)
            if case .string("")? = pattern { throw JSONataError("D3010", value: .string(""), index: 2) }
            let limit = arg(args, 3)?.numberValue
            if let limit, limit < 0 { throw JSONataError("D3011", value: .number(limit), index: 4) }
            if let limit, limit == 0 { return .string(text) }
            let replacement = arg(args, 2)
            if case .string(let literal)? = pattern {
                guard case .string(let with)? = replacement else { throw JSONataError("T0410", value: replacement, index: 3) }
                var result = ""
                var rest = Substring(text)
                var count = 0
                while limit == nil || Double(count) < limit!, let range = rest.range(of: literal) {
                    result += rest[..<range.lowerBound] + with
                    rest = rest[range.upperBound...]
                    count += 1
                }
                return .string(result + rest)
            }
            let units = Array(text.utf16)
            func piece(_ from: Int, _ to: Int) -> String { String(decoding: units[from..<to], as: UTF16.self) }
            var matches = try MatchSequence(pattern, text: text, evaluator: evaluator, env: call.environment)
            var result = ""
            var position = 0
            var count = 0
            while limit == nil || Double(count) < limit!, let match = try matches.next() {
                result += piece(position, min(max(match.start, position), units.count))
                let substitute: Value?
                if case .string(let template)? = replacement {
                    substitute = .string(expandReplacement(template, match))
                } else {
                    let object = JObject([
                        ("match", .string(match.match)), ("start", .number(Double(match.start))),
                        ("end", .number(Double(match.end))), ("groups", .array(JArray(match.groups))),
                    ])
                    substitute = try evaluator.apply(replacement, [.object(object)], nil, call.environment)
                }
                guard case .string(let with)? = substitute else { throw JSONataError("D3012", value: substitute) }
                result += with
                position = match.start + match.match.utf16.count
                count += 1
            }
            result += piece(min(position, units.count), units.count)
            return .string(result)
        },
        NativeFunction("split", "<s-(sf)n?:a<s>>") { evaluator, args, call in
            guard case .string(let text)? = arg(args, 0) else { return nil }
            let limit = arg(args, 2)?.numberValue
            if let limit, limit < 0 { throw JSONataError("D3020", value: .number(limit), index: 3) }
            var parts: [String] = []
            if limit == nil || limit! > 0 {
                if case .string(let separator)? = arg(args, 1) {
                    if separator.isEmpty {
                        parts = text.utf16.map { String(decoding: [$0], as: UTF16.self) }
                    } else {
                        parts = text.components(separatedBy: separator)
                    }
                    if let limit, Double(parts.count) > limit { parts = Array(parts.prefix(Int(limit))) }
                } else {
                    let units = Array(text.utf16)
                    var matches = try MatchSequence(arg(args, 1), text: text, evaluator: evaluator, env: call.environment)
                    var start = 0
                    var count = 0
                    var any = false
                    while limit == nil || Double(count) < limit!, let match = try matches.next() {
                        any = true
                        parts.append(String(decoding: units[min(start, units.count)..<max(min(match.start, units.count), start)], as: UTF16.self))
                        start = match.end
                        count += 1
                    }
                    if !any {
                        parts = [text]
                    } else if limit == nil || Double(count) < limit! {
                        parts.append(String(decoding: units[min(start, units.count)...], as: UTF16.self))
                    }
                }
            }
            return .array(JArray(parts.map { .string($0) }))
        },
        NativeFunction("join", "<a<s>s?:s>") { _, args, _ in
            guard case .array(let strings)? = arg(args, 0) else { return nil }
            let separator = arg(args, 1)?.stringValue ?? ""
            return .string(strings.items.compactMap(\.stringValue).joined(separator: separator))
        },
    ]

    /// `$n` in a replacement string: `$0` the match, `$1`… the groups, `$$` a dollar.
    static func expandReplacement(_ template: String, _ match: MatchSequence.Item) -> String {
        let chars = Array(template)
        var out = ""
        var i = 0
        while i < chars.count {
            let c = chars[i]
            guard c == "$", i + 1 < chars.count else {
                out.append(c)
                i += 1
                continue
            }
            let next = chars[i + 1]
            if next == "$" {
                out.append("$")
                i += 2
            } else if next == "0" {
                out += match.match
                i += 2
            } else {
                let groupCount = match.groups.count
                let maxDigits = groupCount == 0 ? 1 : Int(log10(Double(groupCount)).rounded(.down)) + 1
                var digits = String(chars[(i + 1)..<min(i + 1 + maxDigits, chars.count)].prefix { $0.isASCII && $0.isNumber })
                if var index = Int(digits) {
                    if maxDigits > 1, index > groupCount, digits.count > 1 {
                        digits.removeLast()
                        index = Int(digits) ?? index
                    }
                    if groupCount > 0, index >= 1, index <= groupCount, case .string(let group) = match.groups[index - 1] {
                        out += group
                    }
                    i += 1 + String(index).count
                } else {
                    out.append("$")
                    i += 1
                }
            }
        }
        return out
    }
}
