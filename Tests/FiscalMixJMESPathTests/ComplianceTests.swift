import FiscalMixConformance
import FiscalMixJMESPath
import FiscalMixJSON
import FiscalMixTestTraits
import Foundation
import Testing

/// The official JMESPath compliance suite (`conformance/jmespath` of the outside test data), every case.
@Suite struct ComplianceTests {
    static var suiteDirectory: URL { get throws { try ConformanceSuites.directory(.jmespath) } }

    struct Outcome {
        var passed = 0
        var failures: [String] = []
    }

    static func run(file: URL) throws -> Outcome {
        var outcome = Outcome()
        let suite = try JSON(parsing: Array(try Data(contentsOf: file)))
        for group in suite.arrayValue ?? [] {
            let given = group["given"] ?? .null
            for testCase in group["cases"]?.arrayValue ?? [] {
                guard let expression = testCase["expression"]?.stringValue else { continue }
                let label = "\(file.lastPathComponent): \(expression)"
                if let expectedError = testCase["error"]?.stringValue {
                    do {
                        let result = try JMESPathExpression(expression).search(given)
                        outcome.failures.append("\(label) → \(result.serialized()), expected error \(expectedError)")
                    } catch {
                        if error.kind.rawValue == expectedError {
                            outcome.passed += 1
                        } else {
                            outcome.failures.append("\(label) → error \(error.kind.rawValue), expected \(expectedError)")
                        }
                    }
                } else if let expected = testCase["result"] {
                    do {
                        let result = try JMESPathExpression(expression).search(given)
                        if result == expected {
                            outcome.passed += 1
                        } else {
                            outcome.failures.append("\(label) → \(result.serialized()), expected \(expected.serialized())")
                        }
                    } catch {
                        outcome.failures.append("\(label) → \(error), expected \(expected.serialized())")
                    }
                }
            }
        }
        return outcome
    }

    @Test(.requires(.jmespath)) func passesTheWholeComplianceSuite() throws {
        let files = try FileManager.default.contentsOfDirectory(at: try Self.suiteDirectory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "json" }.sorted { $0.lastPathComponent < $1.lastPathComponent }
        #expect(files.count == 16, "compliance files not found at \((try? Self.suiteDirectory)?.path ?? "-")")
        var total = Outcome()
        for file in files {
            let outcome = try Self.run(file: file)
            total.passed += outcome.passed
            total.failures += outcome.failures
        }
        print("JMESPath conformance: \(total.passed) passed, \(total.failures.count) failed")
        for failure in total.failures.prefix(60) { print("  ✗ \(failure)") }
        #expect(total.failures.isEmpty)
        #expect(total.passed >= 892)
    }

    @Test func syntaxErrorsCarryAPosition() {
        #expect {
            try JMESPathExpression("foo.[bar")
        } throws: { error in
            (error as? JMESPathError)?.kind == .syntax && (error as? JMESPathError)?.position != nil
        }
    }

    /// Found by the fuzzer (Fuzz/Targets/jmespath.swift): an empty expression stepped the
    /// parser before its first token and crashed the process.
    @Test func anEmptyOrTruncatedExpressionIsASyntaxError() {
        for source in ["", " ", "\t\n", "&", "a ||", "[", "{a:", "!"] {
            #expect(throws: JMESPathError.self, "\(source.debugDescription)") { try JMESPathExpression(source) }
        }
    }

    @Test func aHostileExpressionStopsAtItsBudget() throws {
        let document = JSON.array((0..<200).map { .int($0) })
        // Each stage doubles the array: 200 · 2¹⁰ elements at the end.
        let expression = try JMESPathExpression(Array(repeating: "[@, @][]", count: 10).joined(separator: " | "))
        #expect(throws: JMESPathError.self) { try expression.search(document, maxSteps: 10_000) }
        #expect(try expression.search(document).arrayValue?.count == 200 * 1024)
    }

    /// The evaluator's two shortcuts give what the plain definitions give: a flatten under a
    /// projection is projected element by element (nested arrays one level, nulls dropped), and a
    /// multi-select hash that repeats a key keeps its last value in the first key's place.
    @Test func flattenedProjectionsAndRepeatedKeysKeepTheirMeaning() throws {
        let document = try JSON(parsing: #"{"a": [[{"b": 1}, {"b": 2}], {"b": 3}, {"c": 4}, [[{"b": 5}]]], "x": 1, "y": 2}"#)
        #expect(try JMESPathExpression("a[].b").search(document) == (try JSON(parsing: "[1, 2, 3]")))
        #expect(try JMESPathExpression("a[][].b").search(document) == (try JSON(parsing: "[1, 2, 3, 5]")))
        let repeated = try JMESPathExpression("{k: x, m: y, k: y}").search(document)
        #expect(repeated.serialized() == #"{"k":2,"m":2}"#)
        #expect(try JMESPathExpression("{k: x, m: y}").search(document).serialized() == #"{"k":1,"m":2}"#)
    }

    @Test func fiscalAmountsStayExact() throws {
        let document = try JSON(parsing: #"{"items": [{"v": 0.1}, {"v": 0.2}, {"v": 1234.56}]}"#)
        #expect(try JMESPathExpression("sum(items[].v)").search(document).serialized() == "1234.86")
    }
}

@Suite struct CustomMappingTests {
    @Test func mapsAnNFeSummaryWithoutAnExpressionLanguage() throws {
        let input = try JSON(
            parsing:
                #"{"emit": {"CNPJ": "11222333000181", "xNome": "Acme"}, "total": {"vNF": 1234.56}, "det": [{"prod": {"xProd": "A"}}, {"prod": {"xProd": "B"}}]}"#
        )
        let mapping = try CustomMapping(
            JSON(
                parsing:
                    #"{"cnpj": "emit.CNPJ", "total": "total.vNF", "items": "det[].prod.xProd", "source": "'sefaz'", "version": 2, "meta": {"name": "emit.xNome"}}"#
            ))
        let output = try mapping.apply(to: input)
        #expect(
            output
                == (try JSON(
                    parsing:
                        #"{"cnpj": "11222333000181", "total": 1234.56, "items": ["A", "B"], "source": "sefaz", "version": 2, "meta": {"name": "Acme"}}"#
                )))
        #expect(output["total"]?.serialized() == "1234.56")
    }

    @Test func aBadLeafNamesItsPath() {
        #expect {
            try CustomMapping(JSON(parsing: #"{"a": {"b": "foo[?"}}"#))
        } throws: { error in
            (error as? JMESPathError)?.message.hasPrefix("$.a.b:") == true
        }
    }
}
