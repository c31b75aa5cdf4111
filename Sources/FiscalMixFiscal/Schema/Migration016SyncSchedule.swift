import FiscalMixDatabase

/// `sync_runs.scheduled_for` and `waiting_reason`: a pending run says when it will run and why it
/// waits (the AN's quiet hour). `started_at` keeps its seed meaning of "started": written again
/// when the run starts (until then it holds the moment the run was created).
let migration016SyncSchedule = Migration(16, "sync_schedule", tables: []) { dialect in
    [
        "ALTER TABLE sync_runs ADD COLUMN scheduled_for \(dialect.render(.timestamp))",
        "ALTER TABLE sync_runs ADD COLUMN waiting_reason \(dialect.render(.text))",
    ]
}
