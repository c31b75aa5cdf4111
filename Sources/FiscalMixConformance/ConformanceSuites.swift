import Foundation

/// The conformance suites in `../shared/conformance` (or `FISCALMIX_CONFORMANCE_DIR`, where CI
/// puts them for a clone elsewhere). Missing suites make their tests fail, never skip.
public enum ConformanceSuites {
    public static func directory(_ suite: String) -> URL {
        if let dir = ProcessInfo.processInfo.environment["FISCALMIX_CONFORMANCE_DIR"] {
            return URL(fileURLWithPath: dir).appendingPathComponent(suite)
        }
        // Sources/FiscalMixConformance/ConformanceSuites.swift → repository root → ../shared
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("shared/conformance/\(suite)")
    }
}
