import FiscalMixDatabase

/// PostgreSQL: every statement that inserts jobs (an enqueue, a batch, a schedule tick, in any
/// process) sends `NOTIFY fiscalmix_jobs, '<queue>'` once per queue, from the database itself.
/// In the inserting transaction, so it costs no round trip and is delivered only on commit.
/// SQLite has no notifications: one process owns the file and wakes its own workers.
let migration006JobNotifications = Migration(6, "job_notifications", tables: []) { dialect in
    guard dialect == .postgres else { return [] }
    return [
        """
        CREATE FUNCTION fiscalmix_notify_jobs() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('fiscalmix_jobs', queue) FROM (SELECT DISTINCT queue FROM inserted_jobs) AS queues;
            RETURN NULL;
        END
        $$
        """,
        """
        CREATE TRIGGER jobs_notify AFTER INSERT ON jobs REFERENCING NEW TABLE AS inserted_jobs
        FOR EACH STATEMENT EXECUTE FUNCTION fiscalmix_notify_jobs()
        """,
    ]
}
