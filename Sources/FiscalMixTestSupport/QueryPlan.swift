import Foundation

/// Reading PostgreSQL `EXPLAIN` output in plan tests.
public enum QueryPlan {
    /// Problems with a plan: sequential scans, index scans without a condition (a whole index
    /// read), the partial lease index.
    public static func problems(_ plan: [String]) -> [String] {
        var found: [String] = []
        for (i, line) in plan.enumerated() {
            if line.contains("Seq Scan") { found.append(line) }
            if line.contains("idx_jobs_lease") { found.append(line) }
            if line.contains("Index Scan using") || line.contains("Index Only Scan using") || line.contains("Bitmap Index Scan on") {
                let next = i + 1 < plan.count ? plan[i + 1].trimmingCharacters(in: .whitespaces) : ""
                if !next.hasPrefix("Index Cond") { found.append(line + " (no index condition)") }
            }
        }
        return found
    }
}
