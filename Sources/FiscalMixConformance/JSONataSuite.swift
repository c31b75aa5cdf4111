import FiscalMixJSON
import FiscalMixJSONata
public import Foundation

/// Runs the JSONata reference suite (jsonata-js v2.2.2 test cases) against `FiscalMixJSONata`:
/// the conformance test target, and the release build through `fiscalmix-transforms-bench
/// --conformance` (the evaluator's optimizer promises only act in an optimized build).
public enum JSONataSuite {
    public struct Outcome: Sendable {
        public var passed: [String] = []
        public var failed: [(String, String)] = []
        public var skipped: [(String, String)] = []
    }

    /// Known failures, one per line: the case name, a tab, the reason (`#` starts a comment).
    public static func knownFailures(in file: URL) -> [String: String] {
        guard let text = try? String(contentsOf: file, encoding: .utf8) else { return [:] }
        var result: [String: String] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") && !line.trimmingCharacters(in: .whitespaces).isEmpty {
            let parts = line.split(separator: "\t", maxSplits: 1)
            result[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
        }
        return result
    }

    /// The outcome against the known failures: failures not listed, and listed cases that pass.
    public static func surprises(_ outcome: Outcome, known: [String: String]) -> (unexpected: [(String, String)], nowPassing: [String]) {
        let failedNames = Set(outcome.failed.map(\.0))
        let passed = Set(outcome.passed)
        return (outcome.failed.filter { known[$0.0] == nil }, known.keys.filter { !failedNames.contains($0) && passed.contains($0) }.sorted())
    }

    /// Every case of the suite. Some cases recurse deeply (not in tail position): call it on a
    /// thread with a large stack (`runOnLargeStack`).
    public static func run(suite: URL) throws -> Outcome {
        var outcome = Outcome()
        let fm = FileManager.default
        let groupsDir = suite.appendingPathComponent("groups")
        var datasets: [String: JSON] = [:]
        let datasetDir = suite.appendingPathComponent("datasets")
        for file in try fm.contentsOfDirectory(atPath: datasetDir.path) where file.hasSuffix(".json") {
            datasets[String(file.dropLast(5))] = try JSON(parsing: Array(Data(contentsOf: datasetDir.appendingPathComponent(file))))
        }
        for group in try fm.contentsOfDirectory(atPath: groupsDir.path).sorted() {
            let groupDir = groupsDir.appendingPathComponent(group)
            for file in try fm.contentsOfDirectory(atPath: groupDir.path).sorted() where file.hasSuffix(".json") {
                let name = "\(group)/\(file.dropLast(5))"
                let bytes = try Data(contentsOf: groupDir.appendingPathComponent(file))
                let raw = String(decoding: bytes, as: UTF8.self)
                // A lone UTF-16 surrogate (`"\uD800"` with no partner) cannot be held by a Swift
                // string; the suite's README counts these cases as expected skips.
                if raw.range(of: #"(?<!\\)\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F])"#, options: .regularExpression) != nil {
                    let count = (try? JSON(parsing: Array(bytes)))?.arrayValue?.count ?? 1
                    for _ in 0..<count { outcome.skipped.append((name, "lone surrogate in the case")) }
                    continue
                }
                guard let parsed = try? JSON(parsing: Array(bytes)) else {
                    outcome.failed.append((name, "the case file does not parse"))
                    continue
                }
                let cases: [JSON] = parsed.arrayValue ?? [parsed]
                for (index, testCase) in cases.enumerated() {
                    let caseName = cases.count > 1 ? "\(name)[\(index)]" : name
                    if ProcessInfo.processInfo.environment["JSONATA_TRACE"] != nil { FileHandle.standardError.write(Data((caseName + "\n").utf8)) }
                    if let failure = runCase(testCase, groupDir: groupDir, datasets: datasets) {
                        outcome.failed.append((caseName, failure))
                    } else {
                        outcome.passed.append(caseName)
                    }
                }
            }
        }
        return outcome
    }

    /// nil when the case passes, otherwise what happened.
    static func runCase(_ testCase: JSON, groupDir: URL, datasets: [String: JSON]) -> String? {
        var source = testCase["expr"]?.stringValue
        if let file = testCase["expr-file"]?.stringValue {
            source = try? String(contentsOf: groupDir.appendingPathComponent(file), encoding: .utf8)
        }
        guard let source else { return "no expression" }
        var input: JSON?
        if let data = testCase["data"] {
            input = data
        } else if let dataset = testCase["dataset"]?.stringValue {
            input = datasets[dataset]
        }
        var bindings: [String: JSON] = [:]
        for (key, value) in testCase["bindings"]?.objectValue ?? JSONObject() { bindings[key] = value }
        var limits = JSONataExpression.Limits.default
        limits.maxStackBytes = 200 << 20
        limits.timeout = nil  // only the cases that set a time limit have one (a loaded debug build is slow)
        if let depth = testCase["depth"]?.numberValue?.int64Value { limits.maxDepth = Int(depth) }
        if let time = testCase["timelimit"]?.numberValue?.int64Value { limits.timeout = .milliseconds(Int(time)) }
        let expectedCode = testCase["code"]?.stringValue ?? testCase["error"]?["code"]?.stringValue
        do {
            let expression = try JSONataExpression(source)
            let result = try expression.evaluate(input, bindings: bindings, limits: limits)
            if let expectedCode { return "expected error \(expectedCode), got \(result.map { $0.serialized() } ?? "undefined")" }
            if testCase["undefinedResult"] == .bool(true) {
                return result == nil ? nil : "expected undefined, got \(result!.serialized())"
            }
            guard let expected = testCase["result"] else { return "no expected result" }
            guard let result else { return "expected \(expected.serialized()), got undefined" }
            return result == expected ? nil : "expected \(expected.serialized()), got \(result.serialized())"
        } catch {
            guard let expectedCode else { return "unexpected error \(error)" }
            if error.code != expectedCode { return "expected error \(expectedCode), got \(error)" }
            if let message = testCase["error"]?["message"]?.stringValue, message != error.message {
                return "expected message \(message), got \(error.message)"
            }
            return nil
        }
    }

    /// `run(suite:)` on a thread with a 256 MB stack.
    public static func runOnLargeStack(suite: URL) async throws -> Outcome {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                do { continuation.resume(returning: try run(suite: suite)) } catch { continuation.resume(throwing: error) }
            }
            thread.stackSize = 256 << 20
            thread.start()
        }
    }
}
