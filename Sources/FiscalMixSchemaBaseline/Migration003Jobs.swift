import FiscalMixDatabase

/// Durable jobs, their runs, schedules and automation submissions.
/// Seeds: 002 Job/Run, 001 sync_jobs/retry_queue (folded into jobs), 003 submissions.
let migration003Jobs = Migration(
    3, "jobs_runs_schedules",
    tables: [
        Table(
            "jobs",
            [
                [
                    id(),
                    uuid("account_id").null().references("accounts", onDelete: .cascade),
                    varchar("type", 100),
                    varchar("queue", 64).defaulting(.string("default")),
                    varchar("status", 20).defaulting(.string("queued"))
                        .oneOf(["queued", "running", "success", "failed", "dead", "cancelled"]),
                    integer("priority").defaulting(.int(0)),
                    integer("attempts").defaulting(.int(0)).check("$ >= 0"),
                    integer("max_attempts").defaulting(.int(5)).check("$ >= 1"),
                    timestamp("run_at").defaulting(.now),
                    json("payload").null(),
                    text("payload_ref").null(),
                    varchar("idempotency_key", 255).null(),
                    varchar("lease_owner", 255).null(),
                    timestamp("lease_expires_at").null(),
                    json("last_error").null(),
                    varchar("correlation_id", 128).null(),
                    timestamp("started_at").null(),
                    timestamp("finished_at").null(),
                ],
                timestamps(),
            ]),
        Table(
            "job_runs",
            [
                [
                    id(),
                    uuid("job_id").references("jobs", onDelete: .cascade),
                    integer("attempt").check("$ >= 1"),
                    varchar("status", 20).oneOf(["running", "success", "failed", "timed_out", "lost", "cancelled"]),
                    varchar("worker", 255).null(),
                    timestamp("started_at"),
                    timestamp("finished_at").null(),
                    json("error").null(),
                ]
            ]),
        Table(
            "schedules",
            [
                [
                    id(),
                    uuid("account_id").null().references("accounts", onDelete: .cascade),
                    varchar("name", 255),
                    varchar("cron", 255),
                    varchar("time_zone", 64).defaulting(.string("UTC")),
                    varchar("job_type", 100),
                    varchar("queue", 64).defaulting(.string("default")),
                    json("payload").defaulting(.jsonObject),
                    varchar("catch_up", 20).defaulting(.string("skip")).oneOf(["skip", "run_once"]),
                    boolean("enabled").defaulting(.bool(true)),
                    timestamp("next_run_at"),
                    timestamp("last_tick_at").null(),
                ],
                timestamps(),
            ]),
        Table(
            "schedule_ticks", primaryKey: ["schedule_id", "tick_at"],
            [
                [
                    uuid("schedule_id").references("schedules", onDelete: .cascade),
                    timestamp("tick_at"),
                    uuid("job_id").null().references("jobs", onDelete: .setNull),
                    timestamp("created_at").defaulting(.now),
                ]
            ]),
        Table(
            "submissions",
            [
                [
                    id(),
                    uuid("account_id").references("accounts", onDelete: .cascade),
                    uuid("process_id").null().references("processes", onDelete: .setNull),
                    integer("process_version").null(),
                    varchar("automation_slug", 100),
                    json("payload"),
                    varchar("status", 20).defaulting(.string("pending")).oneOf(["pending", "processing", "success", "error"]),
                    json("result").null(),
                    text("error").null(),
                    uuid("job_id").null().references("jobs", onDelete: .setNull),
                    uuid("created_by_user_id").null().references("users", onDelete: .setNull),
                ],
                timestamps(),
            ]),
    ],
    indexes: [
        Index("idx_jobs_account_status", on: "jobs", ["account_id", "status"]),
        Index("idx_jobs_account_created", on: "jobs", ["account_id", "created_at"]),
        Index("idx_jobs_claim", on: "jobs", ["queue", "priority DESC", "run_at"], where: "status = 'queued'"),
        Index("idx_jobs_lease", on: "jobs", ["lease_expires_at"], where: "status = 'running'"),
        Index(
            "uq_jobs_idempotency", on: "jobs", ["account_id", "type", "idempotency_key"], unique: true,
            where: "idempotency_key IS NOT NULL", nullsNotDistinct: ["account_id"]),
        Index("idx_job_runs_job_started", on: "job_runs", ["job_id", "started_at"]),
        Index("uq_schedules_name", on: "schedules", ["account_id", "name"], unique: true, nullsNotDistinct: ["account_id"]),
        Index("idx_schedules_due", on: "schedules", ["next_run_at"], where: "enabled"),
        Index("idx_submissions_account_created", on: "submissions", ["account_id", "created_at"]),
        Index("idx_submissions_slug", on: "submissions", ["automation_slug"]),
        Index("idx_submissions_status", on: "submissions", ["status"]),
    ])
