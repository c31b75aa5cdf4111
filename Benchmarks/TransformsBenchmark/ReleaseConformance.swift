import FiscalMixJSON
import FiscalMixJSONSchema
import Foundation

/// The required JSON Schema draft 2020-12 tests, run by the release build: `ValidityCheck.isValid`
/// carries an optimizer promise (`@_effects(releasenone)`) that only an optimized build acts on,
/// and `swift test` builds in debug. CI runs this after the tests
/// (`fiscalmix-transforms-bench --conformance <suite folder>`); it exits 1 on any failure.
func releaseConformance(_ suite: URL) throws -> Int32 {
    var registry = SchemaRegistry()
    let remotes = suite.appendingPathComponent("remotes")
    let remoteFiles = FileManager.default.enumerator(at: remotes, includingPropertiesForKeys: nil)?.compactMap { $0 as? URL } ?? []
    for file in remoteFiles where file.pathExtension == "json" {
        registry.register(try load(file), at: "http://localhost:1234/" + file.path.dropFirst(remotes.path.count + 1))
    }
    var passed = 0
    var failures: [String] = []
    let files = try FileManager.default.contentsOfDirectory(at: suite, includingPropertiesForKeys: nil).filter { $0.pathExtension == "json" }
    for file in files.sorted(by: { $0.lastPathComponent < $1.lastPathComponent }) {
        for group in try load(file).arrayValue ?? [] {
            let label = "\(file.lastPathComponent) › \(group["description"]?.stringValue ?? "?")"
            guard let schema = try? JSONSchema(compiling: group["schema"] ?? .bool(true), registry: registry) else {
                failures.append("\(label): does not compile")
                continue
            }
            for test in group["tests"]?.arrayValue ?? [] {
                let expected = test["valid"] == .bool(true)
                let data = test["data"] ?? .null
                if schema.isValid(data) == expected, schema.validate(data).valid == expected {
                    passed += 1
                } else {
                    failures.append("\(label) › \(test["description"]?.stringValue ?? "?")")
                }
            }
        }
    }
    for failure in failures { print("FAILED \(failure)") }
    print("JSONSchema conformance (release build): \(passed) passed, \(failures.count) failed")
    return failures.isEmpty && passed > 0 ? 0 : 1
}
