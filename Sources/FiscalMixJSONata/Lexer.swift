/// The tokenizer. Positions are offsets in UTF-16 code units, like the reference implementation's.
struct Lexer {
    enum TokenKind: Equatable { case `operator`, name, variable, string, number, value, regex }

    struct Token {
        var kind: TokenKind
        var text: String
        var literal: Value?
        var regex: RegexLiteral?
        var position: Int
    }

    private static let singleCharOperators: Set<UInt16> = Set("[]{}(),@#;:?+-*/%|=<>^&!~.".utf16)
    private static let whitespace: Set<UInt16> = [0x20, 0x09, 0x0A, 0x0D, 0x0B]

    let source: [UInt16]
    var position = 0

    init(_ text: String) { source = Array(text.utf16) }

    private func char(_ at: Int) -> UInt16 { at < source.count && at >= 0 ? source[at] : 0 }
    private func text(_ from: Int, _ to: Int) -> String { String(decoding: source[from..<to], as: UTF16.self) }

    mutating func next(infix: Bool) throws -> Token? {
        while position < source.count, Self.whitespace.contains(source[position]) { position += 1 }
        guard position < source.count else { return nil }
        var c = source[position]
        // comments
        if c == 0x2F, char(position + 1) == 0x2A {
            let start = position
            position += 2
            while !(char(position) == 0x2A && char(position + 1) == 0x2F) {
                position += 1
                if position >= source.count { throw JSONataError("S0106", position: start) }
            }
            position += 2
            return try next(infix: infix)
        }
        if !infix, c == 0x2F {
            position += 1
            let start = position - 1
            return Token(kind: .regex, text: "", regex: try scanRegex(), position: start)
        }
        let two = position + 1 < source.count ? text(position, position + 2) : ""
        if ["..", ":=", "!=", ">=", "<=", "**", "~>", "??", "?:"].contains(two) {
            let start = position
            position += 2
            return Token(kind: .operator, text: two, position: start)
        }
        if Self.singleCharOperators.contains(c) {
            let start = position
            position += 1
            return Token(kind: .operator, text: String(UnicodeScalar(UInt8(c))), position: start)
        }
        // string literals
        if c == 0x22 || c == 0x27 {
            let quote = c
            let start = position
            position += 1
            var units: [UInt16] = []
            while position < source.count {
                c = source[position]
                if c == 0x5C {
                    position += 1
                    c = char(position)
                    switch c {
                    case 0x22: units.append(0x22)
                    case 0x5C: units.append(0x5C)
                    case 0x2F: units.append(0x2F)
                    case 0x62: units.append(0x08)
                    case 0x66: units.append(0x0C)
                    case 0x6E: units.append(0x0A)
                    case 0x72: units.append(0x0D)
                    case 0x74: units.append(0x09)
                    case 0x75:
                        let hex = position + 5 <= source.count ? text(position + 1, position + 5) : ""
                        guard hex.count == 4, let code = UInt16(hex, radix: 16) else {
                            throw JSONataError("S0104", position: position)
                        }
                        units.append(code)
                        position += 4
                    default:
                        throw JSONataError("S0103", position: position, token: String(decoding: [c], as: UTF16.self))
                    }
                } else if c == quote {
                    position += 1
                    let string = String(decoding: units, as: UTF16.self)
                    return Token(kind: .string, text: string, literal: .string(string), position: start)
                } else {
                    units.append(c)
                }
                position += 1
            }
            throw JSONataError("S0101", position: position)
        }
        // numbers: -?(0|[1-9][0-9]*)(\.[0-9]+)?([Ee][-+]?[0-9]+)?
        if let end = scanNumber(from: position) {
            let literal = text(position, end)
            let start = position
            guard let number = Double(literal), number.isFinite else {
                throw JSONataError("S0102", position: position, token: literal)
            }
            position = end
            return Token(kind: .number, text: literal, literal: .number(number), position: start)
        }
        // backtick names
        if c == 0x60 {
            position += 1
            var end = position
            while end < source.count, source[end] != 0x60 { end += 1 }
            if end < source.count {
                let name = text(position, end)
                let start = position - 1
                position = end + 1
                return Token(kind: .name, text: name, position: start)
            }
            position = source.count
            throw JSONataError("S0105", position: position)
        }
        // names and variables
        var i = position
        while i < source.count, !Self.whitespace.contains(source[i]), !Self.singleCharOperators.contains(source[i]) { i += 1 }
        let start = position
        if c == 0x24 {
            let name = text(position + 1, i)
            position = i
            return Token(kind: .variable, text: name, position: start)
        }
        let name = text(position, i)
        position = i
        switch name {
        case "and", "or", "in": return Token(kind: .operator, text: name, position: start)
        case "true": return Token(kind: .value, text: name, literal: .bool(true), position: start)
        case "false": return Token(kind: .value, text: name, literal: .bool(false), position: start)
        case "null": return Token(kind: .value, text: name, literal: .null, position: start)
        default:
            if name.isEmpty { return nil }
            return Token(kind: .name, text: name, position: start)
        }
    }

    private func isDigit(_ c: UInt16) -> Bool { c >= 0x30 && c <= 0x39 }

    private func scanNumber(from start: Int) -> Int? {
        var i = start
        if char(i) == 0x2D { i += 1 }
        guard isDigit(char(i)) else { return nil }
        if char(i) == 0x30 { i += 1 } else { while isDigit(char(i)) { i += 1 } }
        if char(i) == 0x2E, isDigit(char(i + 1)) {
            i += 1
            while isDigit(char(i)) { i += 1 }
        }
        if char(i) == 0x45 || char(i) == 0x65 {
            var j = i + 1
            if char(j) == 0x2B || char(j) == 0x2D { j += 1 }
            if isDigit(char(j)) {
                while isDigit(char(j)) { j += 1 }
                i = j
            }
        }
        return i
    }

    private mutating func scanRegex() throws -> RegexLiteral {
        var start = position
        var depth = 0
        func isClosingSlash(_ at: Int) -> Bool {
            guard source[at] == 0x2F, depth == 0 else { return false }
            var backslashes = 0
            while char(at - (backslashes + 1)) == 0x5C { backslashes += 1 }
            return backslashes % 2 == 0
        }
        while position < source.count {
            let c = source[position]
            if isClosingSlash(position) {
                let pattern = text(start, position)
                if pattern.isEmpty { throw JSONataError("S0301", position: position) }
                position += 1
                start = position
                while char(position) == 0x69 || char(position) == 0x6D { position += 1 }
                let flags = text(start, position)
                return try RegexLiteral(pattern: pattern, flags: flags, position: start)
            }
            if (c == 0x28 || c == 0x5B || c == 0x7B), char(position - 1) != 0x5C { depth += 1 }
            if (c == 0x29 || c == 0x5D || c == 0x7D), char(position - 1) != 0x5C { depth -= 1 }
            position += 1
        }
        throw JSONataError("S0302", position: position)
    }
}
