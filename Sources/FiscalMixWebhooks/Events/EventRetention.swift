import FiscalMixCore
public import FiscalMixDatabase
public import Foundation
import SQLKit

/// Keeps integration events, their deliveries and delivery attempts for a number of months
/// (docs/data-model.md "particionamento por data"). On PostgreSQL the three tables are range-partitioned by
/// month of the event (migration 10): `prepare` creates the partitions ahead of time, `expire`
/// drops whole months past the retention. On SQLite the same `expire` deletes the rows.
///
/// Months are UTC calendar months, bounded by `ID.lowerBound(of:)` of their first instant: a
/// version-7 id sorts by the instant it was made, so "events of November" is an id range.
public struct EventRetention: Sendable {
    /// The tables partitioned by their event's id, children before parents (drop order).
    static let tables: [(name: String, key: String)] = [
        ("webhook_delivery_attempts", "event_id"), ("webhook_deliveries", "event_id"), ("integration_events", "id"),
    ]
    /// Serialises partition changes across processes (a transaction-scoped advisory lock).
    static let lockKey: Int64 = 0x46_4D_50_54  // "FMPT"
    static let deleteBatch = 5000

    let database: Database
    public init(database: Database) { self.database = database }

    public struct Report: Sendable, Equatable {
        /// Partitions created (PostgreSQL).
        public var created: [String] = []
        /// Partitions dropped whole (PostgreSQL).
        public var dropped: [String] = []
        /// Rows deleted one by one: every expired row on SQLite; on PostgreSQL those that waited
        /// in a default partition, plus idempotency keys and dead letters of expired events.
        public var deleted = 0
    }

    /// The daily maintenance: months ahead prepared, months past retention removed.
    public func maintain(retentionMonths: Int, monthsAhead: Int, now: Date) async throws -> Report {
        var report = try await expire(retentionMonths: retentionMonths, now: now)
        report.created = try await prepare(monthsAhead: monthsAhead, retentionMonths: retentionMonths, now: now)
        return report
    }

    /// Creates the partitions of this month and the next `monthsAhead`, and of any retained month
    /// whose rows wait in a default partition (they are moved in). Returns the new partitions;
    /// nothing to do on SQLite.
    @discardableResult
    public func prepare(monthsAhead: Int, retentionMonths: Int, now: Date) async throws -> [String] {
        guard database.dialect == .postgres else { return [] }
        let current = Month(containing: now)
        let oldest = current.adding(-retentionMonths)
        var months = Set((0...max(0, monthsAhead)).map { current.adding($0) })
        // Rows written before their month had a partition (from before migration 10, or with a
        // clock off): their months within retention get partitions too.
        let waiting = try await database.first(
            """
            SELECT (SELECT id FROM integration_events_default ORDER BY id LIMIT 1) AS low,
                   (SELECT id FROM integration_events_default ORDER BY id DESC LIMIT 1) AS high
            """)
        if let low = try waiting?.get("low", as: UUID?.self), let high = try waiting?.get("high", as: UUID?.self),
            let first = ID.instant(of: low).map(Month.init(containing:)), let last = ID.instant(of: high).map(Month.init(containing:))
        {
            var month = max(first, oldest)
            while month <= min(last, current.adding(monthsAhead)) {
                months.insert(month)
                month = month.adding(1)
            }
        }
        var created: [String] = []
        for month in months.sorted() {
            for table in Self.tables where try await createPartition(of: table, for: month) {
                created.append(month.partitionName(of: table.name))
            }
        }
        return created
    }

    /// Removes the events of months that ended more than `retentionMonths` whole months before
    /// `now`'s month, with their deliveries, attempts, idempotency keys and dead letters.
    public func expire(retentionMonths: Int, now: Date) async throws -> Report {
        precondition(retentionMonths >= 1, "the current month is never expired")
        let cutoff = Month(containing: now).adding(-retentionMonths)
        let bound = ID.lowerBound(of: cutoff.start)
        var report = Report()
        if database.dialect == .postgres {
            for table in Self.tables {
                for (name, month) in try await partitions(of: table.name) where month < cutoff {
                    try await database.transaction { tx in
                        try await tx.execute("SELECT pg_advisory_xact_lock(\(bind: Self.lockKey))")
                        try await tx.execute("DROP TABLE IF EXISTS \(ident: name)")
                    }
                    report.dropped.append(name)
                }
            }
        }
        for table in Self.tables {
            report.deleted += try await deleteBatched(from: table.name, idColumn: "id", where: table.key, before: bound)
        }
        report.deleted += try await deleteBatched(from: "integration_event_keys", idColumn: "event_id", where: "event_id", before: bound)
        report.deleted += try await database.query("DELETE FROM dead_letters WHERE event_id < \(bind: bound) RETURNING id").count
        return report
    }

    /// The month partitions of a table, by name (PostgreSQL; empty on SQLite).
    public func partitions(of table: String) async throws -> [(name: String, month: Month)] {
        guard database.dialect == .postgres else { return [] }
        let rows = try await database.query(
            """
            SELECT c.relname AS name FROM pg_inherits i
            JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
            WHERE p.relname = \(bind: table) AND p.relnamespace = to_regnamespace(current_schema())::oid
            """)
        return try rows.compactMap { row -> (String, Month)? in
            let name: String = try row.get("name")
            return Month(partitionName: name, of: table).map { (name, $0) }
        }.sorted { $0.1 < $1.1 }
    }

    /// One table's partition for one month, in its own transaction; rows of that month waiting
    /// in the default partition are moved into it. False when it already existed.
    private func createPartition(of table: (name: String, key: String), for month: Month) async throws -> Bool {
        let name = month.partitionName(of: table.name)
        let low = ID.lowerBound(of: month.start).lowercased
        let high = ID.lowerBound(of: month.adding(1).start).lowercased
        return try await database.transaction { tx in
            try await tx.execute("SELECT pg_advisory_xact_lock(\(bind: Self.lockKey))")
            guard try await tx.query("SELECT to_regclass(\(bind: name)) IS NOT NULL AS present").first?.get("present", as: Bool.self) == false
            else { return false }
            // Bounds are ids this code made; DDL cannot take bind parameters.
            let range = "FROM ('\(low)') TO ('\(high)')"
            let inRange: SQLQueryString =
                "\(ident: table.key) >= \(bind: UUID(uuidString: low)!) AND \(ident: table.key) < \(bind: UUID(uuidString: high)!)"
            let waiting = try await tx.query("SELECT 1 AS n FROM \(ident: table.name + "_default") WHERE " + inRange + " LIMIT 1" as SQLQueryString)
            if waiting.isEmpty {
                try await tx.execute("CREATE TABLE \(ident: name) PARTITION OF \(ident: table.name) FOR VALUES \(unsafeRaw: range)")
            } else {
                // A partition cannot be created over rows the default partition holds: build it
                // beside, move the rows, then attach it.
                try await tx.execute("CREATE TABLE \(ident: name) (LIKE \(ident: table.name) INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
                try await tx.execute("INSERT INTO \(ident: name) SELECT * FROM \(ident: table.name + "_default") WHERE " + inRange)
                try await tx.execute("DELETE FROM \(ident: table.name + "_default") WHERE " + inRange)
                try await tx.execute("ALTER TABLE \(ident: table.name) ATTACH PARTITION \(ident: name) FOR VALUES \(unsafeRaw: range)")
            }
            return true
        }
    }

    /// Deletes rows whose `key` is below `bound`, a batch per statement so neither dialect holds
    /// one long write; returns how many.
    private func deleteBatched(from table: String, idColumn: String, where key: String, before bound: UUID) async throws -> Int {
        var total = 0
        while true {
            let deleted = try await database.query(
                """
                DELETE FROM \(ident: table) WHERE \(ident: idColumn) IN
                    (SELECT \(ident: idColumn) FROM \(ident: table) WHERE \(ident: key) < \(bind: bound) LIMIT \(unsafeRaw: String(Self.deleteBatch)))
                RETURNING 1 AS n
                """
            ).count
            total += deleted
            if deleted < Self.deleteBatch { return total }
        }
    }
}

/// A UTC calendar month.
public struct Month: Sendable, Hashable, Comparable {
    public let year: Int
    public let month: Int

    static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    public init(year: Int, month: Int) {
        self.year = year + (month - 1).floorDivided(by: 12)
        self.month = (month - 1).floorModulo(12) + 1
    }

    public init(containing date: Date) {
        let parts = Self.calendar.dateComponents([.year, .month], from: date)
        self.init(year: parts.year!, month: parts.month!)
    }

    /// `integration_events_p202611` for November 2026.
    init?(partitionName: String, of table: String) {
        let prefix = table + "_p"
        guard partitionName.hasPrefix(prefix) else { return nil }
        let digits = partitionName.dropFirst(prefix.count)
        guard digits.count == 6, let value = Int(digits) else { return nil }
        self.init(year: value / 100, month: value % 100)
    }

    public var start: Date { Self.calendar.date(from: DateComponents(year: year, month: month, day: 1))! }
    public func adding(_ months: Int) -> Month { Month(year: year, month: month + months) }
    func partitionName(of table: String) -> String { table + "_p" + String(format: "%04d%02d", year, month) }
    public static func < (a: Month, b: Month) -> Bool { (a.year, a.month) < (b.year, b.month) }
}

private extension Int {
    func floorDivided(by divisor: Int) -> Int { self >= 0 ? self / divisor : -((-self + divisor - 1) / divisor) }
    func floorModulo(_ divisor: Int) -> Int { self - floorDivided(by: divisor) * divisor }
}
