import FiscalMixConformance
import Foundation

/// The required JSON Schema tests and the JSONata reference suite, run by the release build:
/// the JSON Schema validity check and the JSONata name lookup carry an optimizer promise
/// (`@_effects(releasenone)`) that only an optimized build acts on, and `swift test` builds in
/// debug. CI runs this after the tests:
///   fiscalmix-transforms-bench --conformance <conformance folder> <JSONata known-failures file>
/// It exits 1 on a failure that is not a known one.
func releaseConformance(_ suites: URL, jsonataKnownFailures: URL) async throws -> Int32 {
    let schemaSuite = suites.appendingPathComponent("json-schema")
    let schema = try JSONSchemaSuite.run(
        try JSONSchemaSuite.jsonFiles(in: schemaSuite), registry: JSONSchemaSuite.registry(suite: schemaSuite),
        assertFormats: false)
    for failure in schema.failures { print("  ✗ JSON Schema: \(failure)") }
    print("JSONSchema conformance (release build): \(schema.passed) passed, \(schema.failures.count) failed")

    let jsonata = try await JSONataSuite.runOnLargeStack(suite: suites.appendingPathComponent("jsonata"))
    let (unexpected, nowPassing) = JSONataSuite.surprises(jsonata, known: JSONataSuite.knownFailures(in: jsonataKnownFailures))
    for (name, why) in unexpected { print("  ✗ JSONata: \(name): \(why)") }
    print("JSONata conformance (release build): \(jsonata.passed.count) passed, \(jsonata.failed.count) failed, \(jsonata.skipped.count) skipped")
    let good = schema.failures.isEmpty && schema.passed > 0 && unexpected.isEmpty && nowPassing.isEmpty && jsonata.passed.count > 0
    return good ? 0 : 1
}
