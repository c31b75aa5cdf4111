import FiscalMixJSON
import FiscalMixJSONSchema
import Foundation
import Testing

/// The official JSON Schema Test Suite for draft 2020-12 (shared/conformance/json-schema): every
/// required test must pass; the optional format tests run with format assertion on and report.
@Suite struct ConformanceTests {
    static var suiteDirectory: URL {
        if let dir = ProcessInfo.processInfo.environment["FISCALMIX_CONFORMANCE_DIR"] {
            return URL(fileURLWithPath: dir).appendingPathComponent("json-schema")
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("shared/conformance/json-schema")
    }

    /// Every file under remotes/, at http://localhost:1234/<path>, as the suite's README asks.
    static let registry: SchemaRegistry = {
        var registry = SchemaRegistry()
        let remotes = suiteDirectory.appendingPathComponent("remotes")
        let files = FileManager.default.enumerator(at: remotes, includingPropertiesForKeys: nil)?.compactMap { $0 as? URL } ?? []
        for file in files where file.pathExtension == "json" {
            let relative = file.path.dropFirst(remotes.path.count + 1)
            if let json = try? JSON(parsing: Array(try Data(contentsOf: file))) {
                registry.register(json, at: "http://localhost:1234/\(relative)")
            }
        }
        return registry
    }()

    struct Outcome {
        var passed = 0
        var total = 0
        var failures: [String] = []
    }

    static func run(_ files: [URL], assertFormats: Bool) throws -> Outcome {
        var outcome = Outcome()
        for file in files.sorted(by: { $0.lastPathComponent < $1.lastPathComponent }) {
            let groups = try JSON(parsing: Array(try Data(contentsOf: file)))
            for group in groups.arrayValue ?? [] {
                let label = "\(file.lastPathComponent) › \(group["description"]?.stringValue ?? "?")"
                let tests = group["tests"]?.arrayValue ?? []
                outcome.total += tests.count
                let schema: JSONSchema
                do {
                    schema = try JSONSchema(compiling: group["schema"] ?? .bool(true), registry: registry,
                                            options: .init(assertFormats: assertFormats))
                } catch {
                    outcome.failures.append("\(label): does not compile: \(error)")
                    continue
                }
                for test in tests {
                    let expected = test["valid"] == .bool(true)
                    let data = test["data"] ?? .null
                    let result = schema.validate(data)
                    // validate() asks the validity check first and evaluates fully only when it
                    // says invalid: both must be right on their own, and an invalid answer has errors.
                    if result.valid == expected, schema.isValid(data) == expected, expected || !result.errors.isEmpty {
                        outcome.passed += 1
                    } else {
                        outcome.failures.append("\(label) › \(test["description"]?.stringValue ?? "?")")
                    }
                }
            }
        }
        return outcome
    }

    static func jsonFiles(in directory: URL) throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil).filter { $0.pathExtension == "json" }
    }

    @Test func everyRequiredDraft202012TestPasses() throws {
        let outcome = try Self.run(try Self.jsonFiles(in: Self.suiteDirectory), assertFormats: false)
        print("JSONSchema conformance: \(outcome.passed) passed, \(outcome.failures.count) failed")
        for failure in outcome.failures { print("  ✗ \(failure)") }
        #expect(outcome.total == 1299, "the suite as vendored has 1299 required tests")
        #expect(outcome.failures.isEmpty)
    }

    @Test func optionalFormatAssertionsReport() throws {
        let outcome = try Self.run(try Self.jsonFiles(in: Self.suiteDirectory.appendingPathComponent("optional-format")), assertFormats: true)
        print("JSONSchema format conformance: \(outcome.passed) passed, \(outcome.failures.count) failed")
        #expect(outcome.total == 764)
        let listFile = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("known-format-failures.txt")
        let known = Set(try String(contentsOf: listFile, encoding: .utf8).split(separator: "\n")
            .filter { !$0.hasPrefix("#") }.compactMap { $0.split(separator: "\t").first.map(String.init) })
        let failed = Set(outcome.failures)
        for unexpected in failed.subtracting(known).sorted() { Issue.record("fails but is not a known failure: \(unexpected)") }
        for fixed in known.subtracting(failed).sorted() { Issue.record("passes now; remove it from known-format-failures.txt: \(fixed)") }
    }
}
