import FiscalMixDatabase
/// Room on `job_runs` pages for the update that ends each run (PostgreSQL).
///
/// A run is inserted when its job is claimed and updated (status, finished_at) moments later,
/// when the job's pass records it. Neither column is indexed, so that update could be a HOT
/// update — a new row version on the same page, no index entries — but only if the page has room,
/// and pages filled by inserts at the default fill factor (100) have none: every completion wrote
/// a new entry into both of the table's indexes. At fill factor 50 the completions of a pass of
/// 100 jobs wrote 124 log records (11 KB) instead of 411 (37 KB) and the pass took 3.3-3.4 ms
/// instead of 4.1-4.3 (EXPLAIN ANALYZE, two runs each); draining 50,000 no-op jobs went from
/// 13,469-16,568 to 16,642-17,661 jobs/s (16 handlers + prefetch 84) and from 12,225-12,512 to
/// 13,225-16,371 (100 handlers), alternating runs. The runs table holds small rows that are
/// written once and updated once, so the space is cheap. Pages written before this keep
/// their layout; SQLite has no such setting (its updates rewrite the row in place).
let migration014JobRunsRoomForHOT = Migration(14, "job_runs_room_for_hot_updates", tables: []) { dialect in
    dialect == .postgres ? ["ALTER TABLE job_runs SET (fillfactor = 50)"] : []
}
