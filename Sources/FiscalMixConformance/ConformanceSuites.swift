public import Foundation

/// Where the test data that comes from elsewhere lives — the public conformance suites and the
/// real fiscal samples — for the tests and the release-build conformance run alike. One lookup,
/// first hit wins:
/// 1. `FISCALMIX_TEST_DATA_DIR`: a folder holding `conformance/` and `fiscal/samples/`;
/// 2. `FISCALMIX_CONFORMANCE_DIR` (the suites) and its sibling `fiscal/samples`
///    (`FISCALMIX_FISCAL_SAMPLES_DIR` names the samples' folder itself);
/// 3. `.test-data/` in the repository, where `scripts/fetch-test-data.sh` puts them;
/// 4. `../shared/` beside the repository.
/// A set that is found nowhere is absent: its tests are skipped with a notice naming it and the
/// script, unless `FISCALMIX_REQUIRE_TEST_DATA=1` (CI), which turns the skip into a failure.
public enum ConformanceSuites {
    /// The sets of outside test data.
    public enum DataSet: String, Sendable, CaseIterable {
        case jmespath, jsonSchema = "json-schema", jsonata, fiscalSamples = "fiscal-samples"

        /// The path of the set under a folder laid out as `../shared` is.
        var relativePath: String { self == .fiscalSamples ? "fiscal/samples" : "conformance/\(rawValue)" }
        /// What must exist inside it for the set to count as there: the samples' tests all read
        /// the sped-nfe capture, which only a copy of `../shared` brings (the script fetches nfelib's).
        var probe: String { self == .fiscalSamples ? "xml/spednfe_distdfe_decoded" : "" }
    }

    public struct Missing: Error, CustomStringConvertible {
        public let description: String
    }

    /// The repository root, from this file's place in it (tests and benchmarks run from a
    /// checkout; nothing shipped calls this).
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// Where `set` is, or nil when it is nowhere.
    public static func location(_ set: DataSet, environment: [String: String] = ProcessInfo.processInfo.environment) -> URL? {
        if set == .fiscalSamples, let dir = environment["FISCALMIX_FISCAL_SAMPLES_DIR"], !dir.isEmpty { return URL(fileURLWithPath: dir) }
        var roots: [URL] = []
        if let dir = environment["FISCALMIX_TEST_DATA_DIR"], !dir.isEmpty { roots.append(URL(fileURLWithPath: dir)) }
        if let dir = environment["FISCALMIX_CONFORMANCE_DIR"], !dir.isEmpty { roots.append(URL(fileURLWithPath: dir).deletingLastPathComponent()) }
        roots.append(repositoryRoot.appendingPathComponent(".test-data"))
        roots.append(repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared"))
        return roots.map { $0.appendingPathComponent(set.relativePath) }
            .first { FileManager.default.fileExists(atPath: $0.appendingPathComponent(set.probe).path) }
    }

    /// The folder of `set`; throws `Missing`, naming the set and how to get it, when it is nowhere.
    public static func directory(_ set: DataSet) throws -> URL {
        guard let found = location(set) else { throw Missing(description: notice(set)) }
        return found
    }

    /// The folder of a conformance suite by its folder name (`json-schema`, `jsonata` …).
    public static func directory(_ suite: String) throws -> URL {
        guard let set = DataSet(rawValue: suite) else { throw Missing(description: "no test data set named \(suite)") }
        return try directory(set)
    }

    /// For `.enabled(if:)`: whether `set` is there. Absent, it is false (the test is skipped with
    /// `notice`) — or, with `FISCALMIX_REQUIRE_TEST_DATA=1`, it throws, so the test fails.
    public static func available(_ set: DataSet) throws -> Bool {
        if location(set) != nil { return true }
        if ProcessInfo.processInfo.environment["FISCALMIX_REQUIRE_TEST_DATA"] == "1" { throw Missing(description: notice(set)) }
        return false
    }

    /// One line: what is missing and how to get it.
    public static func notice(_ set: DataSet) -> String {
        "skipped: the \(set.rawValue) test data is absent (run scripts/fetch-test-data.sh, or set FISCALMIX_TEST_DATA_DIR)"
    }
}
