import FiscalMixDatabase

/// Fewer index entries written per job and per webhook delivery, the two rows updated at every
/// step of their lives. A status change can never be a HOT update (status is indexed), so each
/// update writes one entry into every index of the row whose predicate it meets:
///
/// - `webhook_deliveries (endpoint_id)` repeated the leading column of the unique
///   (endpoint_id, event_id) key and of (endpoint_id, status, updated_at); `(status)` alone served
///   no query (lookups by status also name the endpoint, the event or the account). Both go:
///   a delivery's insert and its final update write 8 entries instead of 12.
/// - `jobs (account_id, status)` becomes partial, for the states a user looks for among an
///   account's many finished jobs (failed, dead, cancelled — the dead-letter list and requeue):
///   queued and running jobs are found by the claim and lease indexes, successes by time. A job's
///   enqueue, claim and completion write 8 entries instead of 11.
///
/// Measured as write-ahead log per delivery in the webhook benchmark (see docs/webhooks.md).
let migration013LeanHotIndexes = Migration(13, "lean_hot_indexes", tables: []) { dialect in
    [
        "DROP INDEX IF EXISTS idx_webhook_deliveries_endpoint",
        "DROP INDEX IF EXISTS idx_webhook_deliveries_status",
        "DROP INDEX IF EXISTS idx_jobs_account_status",
        Index(
            "idx_jobs_account_unsuccessful", on: "jobs", ["account_id", "status", "updated_at"],
            where: "status IN ('failed', 'dead', 'cancelled')"
        ).render(dialect),
    ]
}
