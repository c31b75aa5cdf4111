import FiscalMixJSON
import Foundation

enum TokenKind: Equatable {
    case identifier(String)  // unquoted
    case quotedIdentifier(String)
    case rawString(String)
    case literal(JSON)
    case number(Int)
    case dot, star, lbracket, rbracket, lbrace, rbrace, lparen, rparen, comma, colon
    case pipe, or, and, not, ampersand, at, flatten, filter
    case eq, ne, lt, lte, gt, gte
    case eof
}

struct Token {
    let kind: TokenKind
    let position: Int
}

/// Splits an expression into tokens (JMESPath specification, "Grammar").
struct Lexer {
    let chars: [Character]
    var index = 0

    init(_ expression: String) { chars = Array(expression) }

    static func tokenize(_ expression: String) throws(JMESPathError) -> [Token] {
        var lexer = Lexer(expression)
        var tokens: [Token] = []
        while true {
            let token = try lexer.next()
            tokens.append(token)
            if token.kind == .eof { return tokens }
        }
    }

    func error(_ message: String, at position: Int) -> JMESPathError { JMESPathError(.syntax, message, position: position) }

    mutating func next() throws(JMESPathError) -> Token {
        while index < chars.count, chars[index] == " " || chars[index] == "\t" || chars[index] == "\n" || chars[index] == "\r" { index += 1 }
        let start = index
        guard index < chars.count else { return Token(kind: .eof, position: index) }
        let c = chars[index]
        func single(_ kind: TokenKind) -> Token { index += 1; return Token(kind: kind, position: start) }
        func peek(_ expected: Character) -> Bool { index + 1 < chars.count && chars[index + 1] == expected }
        switch c {
        case ".": return single(.dot)
        case "*": return single(.star)
        case "]": return single(.rbracket)
        case "{": return single(.lbrace)
        case "}": return single(.rbrace)
        case "(": return single(.lparen)
        case ")": return single(.rparen)
        case ",": return single(.comma)
        case ":": return single(.colon)
        case "@": return single(.at)
        case "[":
            if peek("]") { index += 2; return Token(kind: .flatten, position: start) }
            if peek("?") { index += 2; return Token(kind: .filter, position: start) }
            return single(.lbracket)
        case "|":
            if peek("|") { index += 2; return Token(kind: .or, position: start) }
            return single(.pipe)
        case "&":
            if peek("&") { index += 2; return Token(kind: .and, position: start) }
            return single(.ampersand)
        case "!":
            if peek("=") { index += 2; return Token(kind: .ne, position: start) }
            return single(.not)
        case "=":
            if peek("=") { index += 2; return Token(kind: .eq, position: start) }
            throw error("'=' is not an operator; use '=='", at: start)
        case "<":
            if peek("=") { index += 2; return Token(kind: .lte, position: start) }
            return single(.lt)
        case ">":
            if peek("=") { index += 2; return Token(kind: .gte, position: start) }
            return single(.gt)
        case "\"": return Token(kind: .quotedIdentifier(try quotedIdentifier()), position: start)
        case "'": return Token(kind: .rawString(try rawString()), position: start)
        case "`": return Token(kind: .literal(try literal()), position: start)
        case "-", "0"..."9":
            index += 1
            while index < chars.count, chars[index].isASCII, chars[index].isNumber { index += 1 }
            let text = String(chars[start..<index])
            guard let value = Int(text) else { throw error("invalid number '\(text)'", at: start) }
            return Token(kind: .number(value), position: start)
        default:
            if c.isASCII && (c.isLetter || c == "_") {
                while index < chars.count, chars[index].isASCII, chars[index].isLetter || chars[index].isNumber || chars[index] == "_" { index += 1 }
                return Token(kind: .identifier(String(chars[start..<index])), position: start)
            }
            throw error("unexpected character '\(c)'", at: start)
        }
    }

    /// Text up to the closing `quote`, honouring backslash escapes; returns the raw text between.
    mutating func delimited(_ quote: Character) throws(JMESPathError) -> String {
        let start = index
        index += 1
        var text = ""
        while index < chars.count {
            let c = chars[index]
            if c == "\\", index + 1 < chars.count {
                text.append(c)
                text.append(chars[index + 1])
                index += 2
                continue
            }
            if c == quote {
                index += 1
                return text
            }
            text.append(c)
            index += 1
        }
        throw error("unterminated \(quote)", at: start)
    }

    mutating func quotedIdentifier() throws(JMESPathError) -> String {
        let start = index
        let body = try delimited("\"")
        guard case .string(let value)? = try? JSON(parsing: "\"" + body + "\"") else {
            throw error("invalid quoted identifier", at: start)
        }
        return value
    }

    mutating func rawString() throws(JMESPathError) -> String {
        let body = try delimited("'")
        // Only \' is an escape in a raw string literal; other backslashes stay.
        return body.replacingOccurrences(of: "\\'", with: "'")
    }

    mutating func literal() throws(JMESPathError) -> JSON {
        let start = index
        let body = try delimited("`").replacingOccurrences(of: "\\`", with: "`")
        if let value = try? JSON(parsing: body) { return value }
        // Legacy form: an unquoted string literal.
        let trimmed = body.trimmingCharacters(in: .whitespacesAndNewlines)
        if let value = try? JSON(parsing: "\"" + trimmed + "\"") { return value }
        throw error("invalid JSON literal", at: start)
    }
}
