import FiscalMixStorage
import Foundation
import Logging

/// A fresh, empty database for one test: a temporary SQLite file by default, or a new database
/// on the PostgreSQL server named by `FISCALMIX_TEST_DATABASE_URL` (created here, dropped after).
public struct TestDatabase: Sendable {
    public let url: String
    public let dialectName: String
    let cleanup: @Sendable () async -> Void

    public static var postgresURL: String? {
        ProcessInfo.processInfo.environment["FISCALMIX_TEST_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    public static func make(logger: Logger = Logger(label: "test-db")) async throws -> TestDatabase {
        let suffix = UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
        if let base = postgresURL {
            let name = "fmtest_\(suffix)"
            let admin = try Database.open(url: base, logger: logger)
            try await admin.createDatabase(named: name)
            try await admin.shutdown()
            let url = Self.replacingDatabase(in: base, with: name)
            return TestDatabase(url: url, dialectName: "postgres") {
                guard let admin = try? Database.open(url: base, logger: logger) else { return }
                try? await admin.dropDatabase(named: name)
                try? await admin.shutdown()
            }
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fiscalmix-test-\(suffix)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("fiscalmix.sqlite").path
        return TestDatabase(url: "sqlite:\(path)", dialectName: "sqlite") {
            try? FileManager.default.removeItem(at: dir)
        }
    }

    public func remove() async { await cleanup() }

    static func replacingDatabase(in url: String, with name: String) -> String {
        guard var components = URLComponents(string: url) else { return url }
        components.path = "/" + name
        return components.string ?? url
    }
}
