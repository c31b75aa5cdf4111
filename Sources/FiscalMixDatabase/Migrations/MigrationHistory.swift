/// The one ordered schema history, assembled from the baseline and every slice's own steps.
/// Versions are global integers 1…n: a version written twice, or one missing, is a programming
/// error that must stop a start before anything touches the database.
public struct MigrationHistory: Sendable {
    public let migrations: [Migration]

    public init(_ parts: [Migration]...) throws(MigrationHistoryError) {
        let all = parts.flatMap { $0 }.sorted { $0.version < $1.version }
        var seen: [Int: String] = [:]
        for migration in all {
            if let other = seen[migration.version] {
                throw MigrationHistoryError(
                    code: .duplicateVersion, version: migration.version,
                    detail: "migration \(migration.version) is both \(other) and \(migration.name)")
            }
            seen[migration.version] = migration.name
        }
        for (index, migration) in all.enumerated() where migration.version != index + 1 {
            throw MigrationHistoryError(
                code: .gap, version: index + 1,
                detail: "migration \(index + 1) is missing (the next one is \(migration.version), \(migration.name))")
        }
        migrations = all
    }

    public var versions: [Int] { migrations.map(\.version) }
}

/// Why an assembled history was refused.
public struct MigrationHistoryError: Error, CustomStringConvertible, Equatable {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        enum Base: String { case duplicateVersion = "duplicate_version", gap }
        let base: Base
        public static let duplicateVersion = Code(base: .duplicateVersion)
        public static let gap = Code(base: .gap)
        public var description: String { base.rawValue }
    }

    public let code: Code
    public let version: Int
    public let detail: String
    public var description: String { "schema history refused (\(code)): \(detail)" }
}
