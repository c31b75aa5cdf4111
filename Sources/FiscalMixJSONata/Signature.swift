import Foundation

/// A function signature such as `<s-nn?:s>`: validates and fixes up the arguments of a call
/// (a missing argument marked `-` takes the context value; a non-array given where an array is
/// expected becomes a singleton array).
struct Signature: @unchecked Sendable {
    struct Parameter {
        var pattern = ""
        var type: Character = " "
        var usesContext = false
        var contextPattern: NSRegularExpression?
        var subtype: String?
    }

    let definition: String
    private(set) var parameters: [Parameter] = []
    private let matcher: NSRegularExpression
    /// What the matcher answered for each argument-type string seen (`"an"` → the symbols each
    /// parameter took): a call's arguments have one of a handful of shapes, and running ICU at
    /// every call of a built-in was a tenth of an evaluation.
    private let answers = MatchAnswers()

    init(_ text: String) throws {
        definition = text
        let chars = Array(text)
        var position = 1
        var params: [Parameter] = []
        var param = Parameter()
        func closing(_ start: Int, _ open: Character, _ close: Character) -> Int {
            var depth = 1
            var at = start
            while at < chars.count - 1 {
                at += 1
                if chars[at] == close {
                    depth -= 1
                    if depth == 0 { break }
                } else if chars[at] == open {
                    depth += 1
                }
            }
            return at
        }
        while position < chars.count {
            let symbol = chars[position]
            if symbol == ":" { break }
            switch symbol {
            case "s", "n", "b", "l", "o", "a", "f", "j", "x":
                param.pattern = Self.pattern(for: symbol)
                param.type = symbol
                params.append(param)
                param = Parameter()
            case "-":
                if var previous = params.popLast() {
                    previous.usesContext = true
                    previous.contextPattern = try? NSRegularExpression(pattern: "^" + previous.pattern + "$")
                    previous.pattern += "?"
                    params.append(previous)
                }
            case "?", "+":
                if var previous = params.popLast() {
                    previous.pattern += String(symbol)
                    params.append(previous)
                }
            case "(":
                let end = closing(position, "(", ")")
                let choice = String(chars[(position + 1)..<end])
                if choice.contains("<") {
                    throw JSONataError("S0402", position: position, value: .string(choice))
                }
                param.pattern = "[\(choice)m]"
                param.type = "("
                position = end
                params.append(param)
                param = Parameter()
            case "<":
                guard var previous = params.popLast(), previous.type == "a" || previous.type == "f" else {
                    throw JSONataError("S0401", position: position, value: .string(params.last.map { String($0.type) } ?? ""))
                }
                let end = closing(position, "<", ">")
                previous.subtype = String(chars[(position + 1)..<end])
                params.append(previous)
                position = end
            default:
                break
            }
            position += 1
        }
        parameters = params
        let pattern = "^" + params.map { "(\($0.pattern))" }.joined() + "$"
        matcher = try NSRegularExpression(pattern: pattern)
    }

    /// The symbols each parameter matched in `supplied`, or nil when the arguments do not fit.
    private func matchedGroups(_ supplied: String) -> [String]? {
        if let known = answers.lookup(supplied) { return known }
        let range = NSRange(supplied.startIndex..., in: supplied)
        guard let match = matcher.firstMatch(in: supplied, range: range) else { return nil }
        let groups = parameters.indices.map { index in
            let groupRange = match.range(at: index + 1)
            return groupRange.location == NSNotFound ? "" : (supplied as NSString).substring(with: groupRange)
        }
        answers.remember(supplied, groups)
        return groups
    }

    /// A small, bounded memo shared by every evaluation of the compiled expression (any thread).
    private final class MatchAnswers: @unchecked Sendable {
        private let lock = NSLock()
        private var entries: [String: [String]] = [:]

        func lookup(_ supplied: String) -> [String]? { lock.withLock { entries[supplied] } }

        func remember(_ supplied: String, _ groups: [String]) {
            lock.withLock { if entries.count < 64 { entries[supplied] = groups } }
        }
    }

    /// What the argument-type regex accepts for a parameter symbol (`m` is "missing").
    static func pattern(for symbol: Character) -> String {
        switch symbol {
        case "a", "x": "[asnblfom]"
        case "f": "f"
        case "j": "[asnblom]"
        default: "[\(symbol)m]"
        }
    }

    static func symbol(_ value: Value?) -> Character {
        guard let value else { return "m" }
        switch value {
        case .function: return "f"
        case .string: return "s"
        case .number: return "n"
        case .bool: return "b"
        case .null: return "l"
        case .array: return "a"
        case .object: return "o"
        }
    }

    func validate(_ args: [Value?], context: Value?) throws -> [Value?] {
        let supplied = String(args.map(Self.symbol))
        guard let groups = matchedGroups(supplied) else { throw validationError(args, supplied: supplied) }
        var validated: [Value?] = []
        var argIndex = 0
        for (index, param) in parameters.enumerated() {
            let matched = groups[index]
            if matched.isEmpty {
                if param.usesContext, let contextPattern = param.contextPattern {
                    let type = String(Self.symbol(context))
                    if contextPattern.firstMatch(in: type, range: NSRange(location: 0, length: type.utf16.count)) != nil {
                        validated.append(context)
                    } else {
                        throw JSONataError("T0411", value: context, index: argIndex + 1)
                    }
                } else {
                    validated.append(argIndex < args.count ? args[argIndex] : nil)
                    argIndex += 1
                }
                continue
            }
            for single in matched {
                let arg = argIndex < args.count ? args[argIndex] : nil
                if param.type == "a" {
                    if single == "m" {
                        validated.append(nil)
                    } else {
                        var ok = true
                        if let subtype = param.subtype {
                            if single != "a", matched != subtype {
                                ok = false
                            } else if single == "a", case .array(let array)? = arg, let first = array.items.first {
                                let itemType = Self.symbol(first)
                                if String(itemType) != String(subtype.prefix(1)) {
                                    ok = false
                                } else {
                                    ok = array.items.allSatisfy { Self.symbol($0) == itemType }
                                }
                            }
                        }
                        if !ok {
                            var error = JSONataError("T0412", value: arg, index: argIndex + 1)
                            error.token = Self.pluralNames[param.subtype ?? ""]
                            throw error
                        }
                        if single != "a", let arg {
                            validated.append(.array(JArray([arg])))
                        } else {
                            validated.append(arg)
                        }
                    }
                } else {
                    validated.append(arg)
                }
                argIndex += 1
            }
        }
        return validated
    }

    private static let pluralNames = ["a": "arrays", "b": "booleans", "f": "functions", "n": "numbers", "o": "objects", "s": "strings"]

    private func validationError(_ args: [Value?], supplied: String) -> JSONataError {
        var partial = "^"
        var goodTo = 0
        for param in parameters {
            partial += param.pattern
            guard let regex = try? NSRegularExpression(pattern: partial),
                let match = regex.firstMatch(in: supplied, range: NSRange(location: 0, length: supplied.utf16.count))
            else {
                return JSONataError("T0410", value: goodTo < args.count ? args[goodTo] : nil, index: goodTo + 1)
            }
            goodTo = match.range.length
        }
        return JSONataError("T0410", value: goodTo < args.count ? args[goodTo] : nil, index: goodTo + 1)
    }

    /// The number of parameters, for higher-order functions that pass optional arguments only
    /// when the callee takes them.
    var arity: Int { parameters.count }
}
