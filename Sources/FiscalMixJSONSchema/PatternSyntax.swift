/// The regular subset of ECMA-262 pattern syntax (with the `u` flag's strictness): literals,
/// `.`, class escapes, character classes, groups, alternation, `^`/`$` and every quantifier.
/// Whether a pattern matches needs neither captures nor greediness, so this subset is a regular
/// language and `LinearPattern` runs it in time linear in the input.
///
/// `parse` answers nil for anything outside the subset — backreferences, lookaround, `\b`,
/// `\p{…}`, Annex B leniencies such as a lone `{` — and the caller falls back to ICU.
indirect enum PatternSyntax: Equatable {
    case set(CodePointSet)
    case lineStart
    case lineEnd
    case sequence([PatternSyntax])
    case alternation([PatternSyntax])
    case repetition(PatternSyntax, min: Int, max: Int?)

    static func parse(_ source: String) -> PatternSyntax? {
        var parser = Parser(scalars: Array(source.unicodeScalars))
        guard let tree = parser.disjunction(), parser.at == parser.scalars.count else { return nil }
        return tree
    }

    private struct Parser {
        let scalars: [Unicode.Scalar]
        var at = 0
        var depth = 0

        init(scalars: [Unicode.Scalar]) { self.scalars = scalars }

        private var peek: Unicode.Scalar? { at < scalars.count ? scalars[at] : nil }

        private mutating func take(_ expected: Unicode.Scalar) -> Bool {
            guard peek == expected else { return false }
            at += 1
            return true
        }

        mutating func disjunction() -> PatternSyntax? {
            depth += 1
            defer { depth -= 1 }
            guard depth < 64 else { return nil }
            var alternatives: [PatternSyntax] = []
            repeat {
                guard let alternative = alternative() else { return nil }
                alternatives.append(alternative)
            } while take("|")
            return alternatives.count == 1 ? alternatives[0] : .alternation(alternatives)
        }

        private mutating func alternative() -> PatternSyntax? {
            var terms: [PatternSyntax] = []
            while let next = peek, next != "|", next != ")" {
                guard let term = term() else { return nil }
                terms.append(term)
            }
            return terms.count == 1 ? terms[0] : .sequence(terms)
        }

        private mutating func term() -> PatternSyntax? {
            if take("^") { return quantifierFollows ? nil : .lineStart }
            if take("$") { return quantifierFollows ? nil : .lineEnd }
            guard let atom = atom() else { return nil }
            return quantified(atom)
        }

        private var quantifierFollows: Bool {
            guard let next = peek else { return false }
            return next == "*" || next == "+" || next == "?" || next == "{"
        }

        private mutating func quantified(_ atom: PatternSyntax) -> PatternSyntax? {
            var bounds: (Int, Int?)
            if take("*") {
                bounds = (0, nil)
            } else if take("+") {
                bounds = (1, nil)
            } else if take("?") {
                bounds = (0, 1)
            } else if take("{") {
                guard let low = number() else { return nil }
                var high: Int? = low
                if take(",") { high = peek == "}" ? nil : number(); if high == nil, peek != "}" { return nil } }
                guard take("}") else { return nil }
                if let high, high < low { return nil }
                bounds = (low, high)
            } else {
                return atom
            }
            _ = take("?")  // lazy or greedy: the same answer to "does it match"
            if quantifierFollows { return nil }
            return .repetition(atom, min: bounds.0, max: bounds.1)
        }

        private mutating func number() -> Int? {
            var value = 0, digits = 0
            while let next = peek, let digit = Self.digitValue(next) {
                value = value * 10 + digit
                digits += 1
                at += 1
                guard value <= 100_000 else { return nil }
            }
            return digits > 0 ? value : nil
        }

        private static func digitValue(_ scalar: Unicode.Scalar) -> Int? {
            scalar.value >= 48 && scalar.value <= 57 ? Int(scalar.value - 48) : nil
        }

        private mutating func atom() -> PatternSyntax? {
            guard let next = peek else { return nil }
            at += 1
            switch next {
            case ".": return .set(.anyButLineTerminator)
            case "(":
                if take("?") {
                    if take(":") {
                        // non-capturing group
                    } else if take("<"), let first = peek, first != "=", first != "!" {
                        while let scalar = peek, scalar != ">" { at += 1 }  // named group: the name does not matter here
                        guard take(">") else { return nil }
                    } else {
                        return nil  // lookaround and inline modifiers
                    }
                }
                guard let inner = disjunction(), take(")") else { return nil }
                return inner
            case "[": return characterClass()
            case "\\": return atomEscape()
            case ")", "*", "+", "?", "{", "}", "]", "|": return nil
            default: return .set(CodePointSet(next))
            }
        }

        private mutating func atomEscape() -> PatternSyntax? {
            guard let next = peek else { return nil }
            if let set = Self.classEscape(next) { at += 1; return .set(set) }
            guard let scalar = characterEscape(inClass: false) else { return nil }
            return .set(CodePointSet(scalar))
        }

        private static func classEscape(_ letter: Unicode.Scalar) -> CodePointSet? {
            switch letter {
            case "d": .digits
            case "D": CodePointSet.digits.inverted
            case "w": .word
            case "W": CodePointSet.word.inverted
            case "s": .space
            case "S": CodePointSet.space.inverted
            default: nil
            }
        }

        /// After a backslash: a control letter, `\0`, `\xHH`, `\uHHHH`, `\u{…}` or a syntax
        /// character. Lone surrogates and everything else answer nil.
        private mutating func characterEscape(inClass: Bool) -> Unicode.Scalar? {
            guard let next = peek else { return nil }
            at += 1
            switch next {
            case "t": return "\t"
            case "n": return "\n"
            case "r": return "\r"
            case "f": return "\u{0C}"
            case "v": return "\u{0B}"
            case "b" where inClass: return "\u{08}"
            case "0": return peek.flatMap(Self.digitValue) == nil ? "\0" : nil
            case "x": return hex(count: 2)
            case "u":
                if take("{") {
                    var value: UInt32 = 0, digits = 0
                    while let digit = peek.flatMap(Self.hexValue) {
                        value = value * 16 + digit
                        digits += 1
                        at += 1
                        guard value <= CodePointSet.maxCodePoint else { return nil }
                    }
                    guard digits > 0, take("}") else { return nil }
                    return Unicode.Scalar(value)
                }
                return hex(count: 4)
            case "^", "$", "\\", ".", "*", "+", "?", "(", ")", "[", "]", "{", "}", "|", "/": return next
            case "-" where inClass: return next
            default: return nil
            }
        }

        private mutating func hex(count: Int) -> Unicode.Scalar? {
            var value: UInt32 = 0
            for _ in 0..<count {
                guard let digit = peek.flatMap(Self.hexValue) else { return nil }
                value = value * 16 + digit
                at += 1
            }
            return Unicode.Scalar(value)  // nil for a surrogate
        }

        private static func hexValue(_ scalar: Unicode.Scalar) -> UInt32? {
            switch scalar.value {
            case 48...57: scalar.value - 48
            case 65...70: scalar.value - 55
            case 97...102: scalar.value - 87
            default: nil
            }
        }

        private mutating func characterClass() -> PatternSyntax? {
            let negated = take("^")
            var ranges: [ClosedRange<UInt32>] = []
            var union = CodePointSet(ranges: [])
            while !take("]") {
                guard let first = classAtom() else { return nil }
                if peek == "-", at + 1 < scalars.count, scalars[at + 1] != "]" {
                    at += 1
                    guard case .scalar(let low) = first, let last = classAtom(), case .scalar(let high) = last,
                        low.value <= high.value
                    else { return nil }  // a class escape in a range is an error in ECMA-262's u mode
                    ranges.append(low.value...high.value)
                } else {
                    switch first {
                    case .scalar(let scalar): ranges.append(scalar.value...scalar.value)
                    case .set(let set): union = union.union(set)
                    }
                }
            }
            let set = union.union(CodePointSet(ranges: ranges))
            return .set(negated ? set.inverted : set)
        }

        private enum ClassAtom { case scalar(Unicode.Scalar), set(CodePointSet) }

        private mutating func classAtom() -> ClassAtom? {
            guard let next = peek else { return nil }
            at += 1
            guard next == "\\" else { return .scalar(next) }
            if let letter = peek, let set = Self.classEscape(letter) { at += 1; return .set(set) }
            return characterEscape(inClass: true).map(ClassAtom.scalar)
        }
    }
}
