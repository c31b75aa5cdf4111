import FiscalMixDatabase

/// Room on `job_runs` pages for the update that ends each run (PostgreSQL).
///
/// A run is inserted when its job is claimed and updated (status, finished_at) moments later,
/// when the job's pass records it. Neither column is indexed, so that update could be a HOT
/// update — a new row version on the same page, no index entries — but only if the page has room,
/// and pages filled by inserts at the default fill factor (100) have none: every completion wrote
/// a new entry into both of the table's indexes. At fill factor 50 a pass writes a third of the
/// log and drains faster (docs/jobs.md, "Measurements behind the code"). The runs table holds small rows that are
/// written once and updated once, so the space is cheap. Pages written before this keep
/// their layout; SQLite has no such setting (its updates rewrite the row in place).
let migration014JobRunsRoomForHOT = Migration(14, "job_runs_room_for_hot_updates", tables: []) { dialect in
    dialect == .postgres ? ["ALTER TABLE job_runs SET (fillfactor = 50)"] : []
}
