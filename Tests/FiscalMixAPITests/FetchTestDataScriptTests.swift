import FiscalMixConformance
import FiscalMixTestTraits
import Foundation
import Testing

/// `scripts/fetch-test-data.sh`, run as written against local copies of the upstream
/// repositories (laid out as upstream lays the files out, made here from the suites this machine
/// has): what it writes is, file for file, the suites the tests read.
@Suite struct FetchTestDataScriptTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Upstream repositories: where each suite's files sit there, from the suite's own folder.
    static let upstream: [(set: ConformanceSuites.DataSet, repo: String, layout: [(from: String, to: String)])] = [
        (.jmespath, "jmespath/jmespath.py", [("*.json", "tests/compliance")]),
        (
            .jsonSchema, "json-schema-org/JSON-Schema-Test-Suite",
            [("*.json", "tests/draft2020-12"), ("optional-format", "tests/draft2020-12/optional/format"), ("remotes", "remotes")]
        ),
        (.jsonata, "jsonata-js/jsonata", [("groups", "test/test-suite/groups"), ("datasets", "test/test-suite/datasets")]),
    ]

    @Test(.requires(.jmespath), .requires(.jsonSchema), .requires(.jsonata))
    func writesTheSuitesAsTheTestsReadThem() throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("fm-fetch-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: work) }
        let sources = work.appendingPathComponent("upstream"), output = work.appendingPathComponent("data")
        for (set, repo, layout) in Self.upstream {
            let suite = try ConformanceSuites.directory(set)
            let clone = sources.appendingPathComponent(repo)
            try FileManager.default.createDirectory(at: clone, withIntermediateDirectories: true)
            for (from, to) in layout {
                let target = clone.appendingPathComponent(to)
                try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
                if from == "*.json" {
                    try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
                    for file in try FileManager.default.contentsOfDirectory(atPath: suite.path) where file.hasSuffix(".json") {
                        try FileManager.default.copyItem(at: suite.appendingPathComponent(file), to: target.appendingPathComponent(file))
                    }
                } else {
                    try FileManager.default.copyItem(at: suite.appendingPathComponent(from), to: target)
                }
            }
            try Data("MIT licence of \(repo)\n".utf8).write(to: clone.appendingPathComponent("LICENSE"))
            for arguments in [["init", "-q"], ["add", "-A"], ["-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm", "copy"]] {
                #expect(try Self.run("/usr/bin/env", ["git", "-C", clone.path] + arguments) == 0)
            }
        }
        let status = try Self.run(
            Self.repository.appendingPathComponent("scripts/fetch-test-data.sh").path,
            [output.path, "jmespath", "json-schema", "jsonata"],
            environment: ["FISCALMIX_TEST_DATA_SOURCE": sources.path, "FISCALMIX_TEST_DATA_PIN": "0"])
        #expect(status == 0)
        for (set, repo, _) in Self.upstream {
            let expected = try Self.files(under: try ConformanceSuites.directory(set)).filter { $0 != "README.md" }
            let written = output.appendingPathComponent("conformance/\(set.rawValue)")
            #expect(try Self.files(under: written) == (expected + ["LICENSE"]).sorted(), "\(set)")
            for file in expected {
                #expect(
                    FileManager.default.contentsEqual(
                        atPath: try ConformanceSuites.directory(set).appendingPathComponent(file).path,
                        andPath: written.appendingPathComponent(file).path), "\(set): \(file)")
            }
            #expect(try String(contentsOf: written.appendingPathComponent("LICENSE"), encoding: .utf8).contains(repo))
        }
    }

    static func files(under directory: URL) throws -> [String] {
        let root = directory.resolvingSymlinksInPath().path
        return (FileManager.default.enumerator(atPath: root)?.compactMap { $0 as? String } ?? [])
            .filter { !FileManager.default.isDirectory(atPath: root + "/" + $0) }.sorted()
    }

    @discardableResult
    static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }
}

extension FileManager {
    func isDirectory(atPath path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }
}
