import Foundation

/// A regular expression literal (`/ab+c/i`), compiled once with the expression. JavaScript
/// syntax is close to ICU's; the two forms ICU lacks (`[^]`, any character, and `[]`, nothing)
/// are rewritten.
struct RegexLiteral: @unchecked Sendable {
    /// The longest regular expression an expression may hold.
    static let longestPattern = 255

    let pattern: String
    let flags: String
    let regex: NSRegularExpression

    init(pattern: String, flags: String, position: Int) throws {
        self.pattern = pattern
        self.flags = flags
        var options: NSRegularExpression.Options = []
        if flags.contains("i") { options.insert(.caseInsensitive) }
        if flags.contains("m") { options.insert(.anchorsMatchLines) }
        let translated = pattern.replacingOccurrences(of: "[^]", with: "[\\s\\S]").replacingOccurrences(of: "[]", with: "(?!)")
        // Foundation leaks its copy of a pattern longer than 255 UTF-16 units that ICU refuses
        // (found by the fuzzer: Fuzz/Targets/jsonata.swift): such patterns are not compiled.
        guard translated.utf16.count <= Self.longestPattern else {
            throw JSONataError("U1003", position: position, value: String(Self.longestPattern))
        }
        do {
            regex = try NSRegularExpression(pattern: translated, options: options)
        } catch {
            throw JSONataError("S0302", position: position, value: .string(pattern))
        }
    }

    /// The first match at or after `from` (a UTF-16 offset).
    func firstMatch(in text: String, from: Int, evaluator: Evaluator) throws -> RegexMatch? {
        let string = text as NSString
        guard from <= string.length else { return nil }
        try evaluator.charge(max(1, (string.length - from) / 16))
        // ICU reports progress during a long match; each report is charged to the evaluation's
        // budget, so catastrophic backtracking stops with U1001 instead of hanging the worker.
        var found: NSTextCheckingResult?
        var exhausted = false
        regex.enumerateMatches(
            in: text, options: [.reportProgress], range: NSRange(location: from, length: string.length - from)
        ) { result, _, stop in
            if let result {
                found = result
                stop.pointee = true
            } else if !evaluator.regexProgress() {
                exhausted = true
                stop.pointee = true
            }
        }
        if exhausted { throw JSONataError("U1001", token: "regex", value: .string(pattern)) }
        guard let result = found else { return nil }
        var groups: [String] = []
        if result.numberOfRanges > 1 {
            for index in 1..<result.numberOfRanges {
                let range = result.range(at: index)
                groups.append(range.location == NSNotFound ? "" : string.substring(with: range))
            }
        }
        return RegexMatch(
            match: string.substring(with: result.range), start: result.range.location,
            end: result.range.location + result.range.length, groups: groups)
    }
}

struct RegexMatch {
    var match: String
    var start: Int
    var end: Int
    var groups: [String]

    /// The object a regex returns when called as a function: `match`, `start`, `end`, `groups`
    /// and a `next()` function.
    func value(regex: RegexLiteral, text: String) -> Value {
        let object = JObject()
        object["match"] = .string(match)
        object["start"] = .number(Double(start))
        object["end"] = .number(Double(end))
        object["groups"] = .array(JArray(groups.map { .string($0) }))
        let end = self.end
        let next = NativeFunction("next", nil, arity: 0) { evaluator, _, _ in
            guard end < (text as NSString).length else { return nil }
            guard let following = try regex.firstMatch(in: text, from: end, evaluator: evaluator) else { return nil }
            if following.match.isEmpty { throw JSONataError("D1004", value: .string(regex.pattern)) }
            return following.value(regex: regex, text: text)
        }
        object["next"] = .function(JFunction(.native(next)))
        return .object(object)
    }
}

/// A sequence of matches from a matcher: a regex, or any function that returns the same
/// structure (`{match, start, end, groups, next}`).
struct MatchSequence {
    struct Item {
        var match: String
        var start: Int
        var end: Int
        var groups: [Value]
    }

    private let evaluator: Evaluator
    private let text: String
    private let env: Frame
    private var regex: RegexLiteral?
    private var nextFunction: Value?
    private var position = 0
    private var pending: Item?
    private var last: Item?
    private var finished = false

    init(_ matcher: Value?, text: String, evaluator: Evaluator, env: Frame) throws {
        self.evaluator = evaluator
        self.text = text
        self.env = env
        if case .function(let function)? = matcher, case .regex(let literal) = function.body {
            regex = literal
            pending = try literal.firstMatch(in: text, from: 0, evaluator: evaluator).map(Self.item)
        } else {
            pending = try Self.read(try evaluator.apply(matcher, [.string(text)], nil, env), into: &nextFunction)
        }
        finished = pending == nil
    }

    private static func item(_ match: RegexMatch) -> Item {
        Item(match: match.match, start: match.start, end: match.end, groups: match.groups.map { .string($0) })
    }

    private static func read(_ value: Value?, into next: inout Value?) throws -> Item? {
        guard let value else { return nil }
        guard case .object(let object) = value,
            object["start"]?.numberValue != nil || object["end"]?.numberValue != nil || object["groups"]?.isArray == true
                || object["next"]?.isFunction == true
        else {
            throw JSONataError("T1010", value: value)
        }
        next = object["next"]
        return Item(
            match: object["match"]?.stringValue ?? "", start: Int(object["start"]?.numberValue ?? 0),
            end: Int(object["end"]?.numberValue ?? 0), groups: object["groups"]?.arrayValue?.items ?? [])
    }

    /// The next match; the one after it is looked for only when asked (a limit may stop first).
    mutating func next() throws -> Item? {
        if finished { return nil }
        if let first = pending {
            pending = nil
            last = first
            return first
        }
        guard let previous = last else { return nil }
        var following: Item?
        if let regex {
            if previous.end < (text as NSString).length {
                following = try regex.firstMatch(in: text, from: previous.end, evaluator: evaluator).map(Self.item)
                if following?.match.isEmpty == true { throw JSONataError("D1004", value: .string(regex.pattern)) }
            }
        } else {
            var after: Value?
            following = try Self.read(try evaluator.apply(nextFunction, [], nil, env), into: &after)
            nextFunction = after
        }
        last = following
        finished = following == nil
        return following
    }
}
