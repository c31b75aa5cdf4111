import FiscalMixJSON
public import FiscalMixJSONSchema
public import Foundation

/// Runs the JSON Schema Test Suite (draft 2020-12) against `FiscalMixJSONSchema`: the conformance
/// test target, and the release build through `fiscalmix-transforms-bench --conformance` (the
/// validity check's optimizer promise only acts in an optimized build).
public enum JSONSchemaSuite {
    public struct Outcome: Sendable {
        public var passed = 0
        public var total = 0
        public var failures: [String] = []
    }

    /// Every file under `remotes/`, at http://localhost:1234/<path>, as the suite's README asks.
    public static func registry(suite: URL) -> SchemaRegistry {
        var registry = SchemaRegistry()
        let remotes = suite.appendingPathComponent("remotes")
        let files = FileManager.default.enumerator(at: remotes, includingPropertiesForKeys: nil)?.compactMap { $0 as? URL } ?? []
        for file in files where file.pathExtension == "json" {
            let relative = file.path.dropFirst(remotes.path.count + 1)
            if let json = try? JSON(parsing: Array(try Data(contentsOf: file))) {
                registry.register(json, at: "http://localhost:1234/\(relative)")
            }
        }
        return registry
    }

    public static func jsonFiles(in directory: URL) throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil).filter { $0.pathExtension == "json" }
    }

    /// Each test asks both `validate` and `isValid`: `validate` asks the validity check first and
    /// evaluates fully only when it says invalid, so both must be right on their own, and an
    /// invalid answer must carry errors.
    public static func run(_ files: [URL], registry: SchemaRegistry, assertFormats: Bool) throws -> Outcome {
        var outcome = Outcome()
        for file in files.sorted(by: { $0.lastPathComponent < $1.lastPathComponent }) {
            let groups = try JSON(parsing: Array(try Data(contentsOf: file)))
            for group in groups.arrayValue ?? [] {
                let label = "\(file.lastPathComponent) › \(group["description"]?.stringValue ?? "?")"
                let tests = group["tests"]?.arrayValue ?? []
                outcome.total += tests.count
                let schema: JSONSchema
                do {
                    schema = try JSONSchema(
                        compiling: group["schema"] ?? .bool(true), registry: registry,
                        options: .init(assertFormats: assertFormats))
                } catch {
                    outcome.failures.append("\(label): does not compile: \(error)")
                    continue
                }
                for test in tests {
                    let expected = test["valid"] == .bool(true)
                    let data = test["data"] ?? .null
                    let result = schema.validate(data)
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
}
