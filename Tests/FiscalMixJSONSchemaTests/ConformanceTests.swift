import FiscalMixConformance
import FiscalMixTestTraits
import Foundation
import Testing

/// The official JSON Schema Test Suite for draft 2020-12 (`conformance/json-schema` of the outside test data): every
/// required test must pass; the optional format tests run with format assertion on and report.
@Suite(.requires(.jsonSchema)) struct ConformanceTests {
    static var suiteDirectory: URL { get throws { try ConformanceSuites.directory(.jsonSchema) } }
    static let registry = (try? ConformanceSuites.directory(.jsonSchema)).map { JSONSchemaSuite.registry(suite: $0) }

    static func run(_ directory: URL, assertFormats: Bool) throws -> JSONSchemaSuite.Outcome {
        try JSONSchemaSuite.run(try JSONSchemaSuite.jsonFiles(in: directory), registry: try #require(registry), assertFormats: assertFormats)
    }

    @Test func everyRequiredDraft202012TestPasses() throws {
        let outcome = try Self.run(try Self.suiteDirectory, assertFormats: false)
        print("JSONSchema conformance: \(outcome.passed) passed, \(outcome.failures.count) failed")
        for failure in outcome.failures { print("  ✗ \(failure)") }
        #expect(outcome.total == 1299, "the suite as vendored has 1299 required tests")
        #expect(outcome.failures.isEmpty)
    }

    @Test func optionalFormatAssertionsReport() throws {
        let outcome = try Self.run(try Self.suiteDirectory.appendingPathComponent("optional-format"), assertFormats: true)
        print("JSONSchema format conformance: \(outcome.passed) passed, \(outcome.failures.count) failed")
        #expect(outcome.total == 764)
        let listFile = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("known-format-failures.txt")
        let known = Set(
            try String(contentsOf: listFile, encoding: .utf8).split(separator: "\n")
                .filter { !$0.hasPrefix("#") }.compactMap { $0.split(separator: "\t").first.map(String.init) })
        let failed = Set(outcome.failures)
        for unexpected in failed.subtracting(known).sorted() { Issue.record("fails but is not a known failure: \(unexpected)") }
        for fixed in known.subtracting(failed).sorted() { Issue.record("passes now; remove it from known-format-failures.txt: \(fixed)") }
    }
}
