import FiscalMixJSON
import Foundation
import Testing

@testable import FiscalMixJSONSchema

/// The linear matcher must answer exactly as ICU (the engine it replaces for these patterns)
/// does, and stay linear where ICU backtracks.
@Suite struct LinearPatternTests {
    static let patterns = [
        "^ord_[0-9]{6}$", "^[0-9]{14}$", "^[a-z_]+\\.[a-z_]+$", "^[0-9]{44}$", "ab+c", "^$", "", "a|b|", "^(?:ab|a)*c?$",
        "^(a|ab)(c|bcd)(d*)$", "x{2,4}y", "x{2,}", "x{0}", "[^a-c]+", "[\\d-]", "[-a]", "[a-]", "\\d\\D\\w\\W\\s\\S",
        "^.$", "^..$", "\\u00e9", "\\u{1F600}", "\\x41", "[\\u0000-\\u001f]", "\\.", "\\/", "a.c", "^(a*)*$", "(a?){3}a{3}",
        "^[\\s\\S]*$", "^(?<year>[0-9]{4})-(?<month>[0-9]{2})$", "é+", "[à-ö]", "^\\p{L}+$", "^(a+)+\\1$", "a\\b", "^[^]$",
        "^[]$", "(?=a)a", "a{,3}", "a{3,2}", "\\0", "[\\b]", "^\\t\\n\\r\\f\\v$", "^abc$|^def$", "((a)|b)+c", "^\\u{1F600}+$",
    ]

    static let subjects = [
        "", "a", "ab", "abc", "abbc", "ac", "ord_123456", "ord_12345", "xord_123456", "ord_1234567", "12345678000195",
        "1234567800019", "nfe.received", "NFE.received", "nfe_x.y_z", "x", "xx", "xxx", "xxxxy", "xxy", "d", "zzz",
        "-", "1", "1a_ !", "\n", "é", "e\u{301}", "😀", "😀😀", "A", "\u{7}", ".", "/", "abcd", "abcbcd", "aaa", "aaaaaa",
        "a\nb", "abc\n", "\u{2028}", "\u{a0}", "2026-12", "àéö", "ÿ", "\u{8}", "\t\n\r\u{c}\u{b}", "def", "bbc", "abac",
        String(repeating: "0", count: 44), String(repeating: "0", count: 45), "\0",
    ]

    @Test func answersAsICUDoesOnEverySupportedPatternAndSubject() throws {
        var compared = 0, linearPatterns = 0
        for pattern in Self.patterns {
            guard let regex = SchemaRegex(pattern) else {
                // Invalid for ICU: the schema refuses it whatever the linear parser thinks.
                continue
            }
            guard let linear = regex.linear else { continue }
            linearPatterns += 1
            for subject in Self.subjects {
                let budget = SchemaEvaluator.Budget(1_000_000)
                let expected = regex.icuMatches(subject, budget: budget)
                #expect(linear.matches(subject, budget: budget) == expected, "pattern \(pattern) on \(subject.debugDescription)")
                compared += 1
            }
        }
        #expect(linearPatterns >= 35, "most patterns run linearly")
        #expect(compared >= 35 * Self.subjects.count)
    }

    @Test func smallPatternsGetADeterministicAutomatonThatAnswersAsTheThreadsDo() throws {
        var withAutomaton = 0
        for pattern in Self.patterns {
            guard let linear = LinearPattern(pattern), linear.dfa != nil, let regex = SchemaRegex(pattern) else { continue }
            withAutomaton += 1
            for subject in Self.subjects {
                var text = subject
                let byAutomaton = text.withUTF8 { linear.dfa!.matches($0) }
                // ASCII input is answered; at a byte outside ASCII the threads take over.
                if !subject.utf8.contains(where: { $0 >= 0x80 }) { #expect(byAutomaton != nil) }
                if let byAutomaton {
                    #expect(
                        byAutomaton == regex.icuMatches(subject, budget: SchemaEvaluator.Budget(1_000_000)),
                        "\(pattern) on \(subject.debugDescription)")
                }
            }
        }
        #expect(withAutomaton >= 30)
        #expect(LinearPattern("^[0-9]{44}$")?.dfa != nil)
        #expect(LinearPattern("^[0-9]{100}$")?.dfa == nil, "past 64 instructions the threads run")
    }

    @Test func anEmptyPatternAndBracedCodePointEscapesAreValidSchemas() throws {
        // ECMA-262 allows both; ICU (which decides validity) refuses "" and spells \u{…} \x{…}.
        let empty = try JSONSchema(compiling: try JSON(parsing: #"{"pattern": ""}"#))
        #expect(empty.validate(.string("anything")).valid && empty.validate(.string("")).valid)
        let emoji = try JSONSchema(compiling: try JSON(parsing: #"{"pattern": "^\\u{1F600}+$"}"#))
        #expect(emoji.validate(.string("😀😀")).valid)
        #expect(!emoji.validate(.string("x")).valid)
    }

    @Test func constructsOutsideTheRegularSubsetAreLeftToICU() {
        for pattern in ["^(a+)+\\1$", "a\\b", "(?=a)a", "(?<!x)y", "^\\p{L}+$", "\\k<n>(?<n>a)", "a{", "}", "]"] {
            #expect(LinearPattern(pattern) == nil, "\(pattern)")
        }
        for pattern in ["^(a+)+b$", "^[0-9]{14}$", "(?:x|y)*", "[\\d\\s-]", "^(?<n>a)$"] {
            #expect(LinearPattern(pattern) != nil, "\(pattern)")
        }
    }

    @Test func randomPatternsAgreeWithICU() throws {
        // A deterministic generator of patterns over a small alphabet, and subjects over it.
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        func atom(_ depth: Int) -> String {
            switch next(depth > 2 ? 5 : 7) {
            case 0: return "a"
            case 1: return "b"
            case 2: return "[ab]"
            case 3: return "."
            case 4: return "[^a]"
            case 5: return "(" + sequence(depth + 1) + "|" + sequence(depth + 1) + ")"
            default: return "(?:" + sequence(depth + 1) + ")"
            }
        }
        func sequence(_ depth: Int) -> String {
            var out = next(4) == 0 ? "^" : ""
            for _ in 0..<(1 + next(3)) {
                out += atom(depth)
                out += ["", "", "*", "+", "?", "{2}", "{1,3}", "{0,}"][next(8)]
            }
            if next(4) == 0 { out += "$" }
            return out
        }
        var compared = 0
        for _ in 0..<300 {
            let pattern = sequence(0)
            guard let regex = SchemaRegex(pattern), let linear = regex.linear else { continue }
            for _ in 0..<20 {
                let subject = String((0..<next(7)).map { _ in ["a", "b", "c", "\n"][next(4)] as Character })
                let budget = SchemaEvaluator.Budget(1_000_000)
                #expect(
                    linear.matches(subject, budget: budget) == regex.icuMatches(subject, budget: budget),
                    "pattern \(pattern) on \(subject.debugDescription)")
                compared += 1
            }
        }
        #expect(compared > 5_000)
    }

    /// Anchored sequences of class runs are counted run by run (`PatternRuns`) instead of run
    /// through the automaton; generated ones of that shape must answer as ICU does, and shapes
    /// where greedy counting would be wrong (a run whose class overlaps the next one's, a run
    /// that may be empty) must be left to the automaton.
    @Test func classRunPatternsAnswerAsICUDoes() throws {
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        var withRuns = 0, compared = 0
        for _ in 0..<400 {
            var pattern = "^"
            for _ in 0..<(1 + next(4)) {
                pattern += ["a", "b", "[ab]", "[0-9]", "\\.", "_", "[a-z_]"][next(7)]
                pattern += ["", "+", "{2}", "{1,3}", "{2,}", "*"][next(6)]
            }
            pattern += "$"
            guard let regex = SchemaRegex(pattern), let linear = regex.linear, linear.runs != nil else { continue }
            withRuns += 1
            for _ in 0..<25 {
                let subject = String((0..<next(9)).map { _ in ["a", "b", "7", ".", "_", "z", "é"][next(7)] as Character })
                let budget = SchemaEvaluator.Budget(1_000_000)
                #expect(
                    linear.matches(subject, budget: budget) == regex.icuMatches(subject, budget: budget),
                    "pattern \(pattern) on \(subject.debugDescription)")
                compared += 1
            }
        }
        #expect(withRuns >= 40, "class-run patterns generated: \(withRuns)")
        #expect(compared >= 1_000)
        for pattern in ["^[0-9]{44}$", "^[a-z_]+\\.[a-z_]+$", "^ord_[0-9]{6}$"] { #expect(LinearPattern(pattern)?.runs != nil, "\(pattern)") }
        for pattern in ["^a*b$", "^[ab]+b$", "[0-9]{44}$", "^(ab)+$", "^é+$"] { #expect(LinearPattern(pattern)?.runs == nil, "\(pattern)") }
    }

    @Test func aPatternICUWouldBacktrackOnAnswersAtOnce() throws {
        let schema = try JSONSchema(compiling: try JSON(parsing: #"{"pattern": "^(a+)+b$"}"#))
        let started = Date()
        let result = schema.validate(.string(String(repeating: "a", count: 5_000) + "c"))
        #expect(!result.valid)
        #expect(result.errors.map(\.message) == ["does not match the pattern ^(a+)+b$"])
        #expect(Date().timeIntervalSince(started) < 5)
        #expect(schema.validate(.string(String(repeating: "a", count: 5_000) + "b")).valid)
    }

    @Test func longLinearWorkSpendsTheBudget() throws {
        var options = JSONSchema.Options()
        options.maxSteps = 2_000
        let schema = try JSONSchema(compiling: try JSON(parsing: #"{"pattern": "[a-z]{0,200}x"}"#), options: options)
        let result = schema.validate(.string(String(repeating: "q", count: 100_000)))
        #expect(!result.valid)
        #expect(result.errors.contains { $0.message.contains("exceeded the evaluation budget") })
        // The same pattern on an ordinary value passes within the budget.
        #expect(schema.validate(.string("abcx")).valid)
    }
}
