import FiscalMixDatabase

/// docs/data-model.md's "particionamento por data": on PostgreSQL `integration_events`,
/// `webhook_deliveries` and `webhook_delivery_attempts` become range-partitioned by month, so
/// retention drops a month at once instead of deleting rows one by one.
///
/// The partition key is the event's id (a version-7 UUID: its leading bits are the instant it was
/// recorded), for deliveries and attempts too — a delivery and its attempts live in the month of
/// their event, so a month is dropped whole, and the one-delivery-per-(endpoint, event) key keeps
/// holding (PostgreSQL only allows unique keys that contain the partition key). A lookup by event
/// id touches one partition.
///
/// What that costs, and how it is paid:
/// - the idempotency key (account, event key) cannot be unique on a partitioned table, so it
///   moves to `integration_event_keys` (both dialects, one code path);
/// - foreign keys into the partitioned tables (attempts → delivery, delivery → event, dead letter
///   → event/delivery) would forbid dropping a month; they go on PostgreSQL, and the retention job
///   removes a month of events, deliveries, attempts, keys and their dead letters together;
/// - attempts carry their event's id (the partition key).
///
/// Each table gets a DEFAULT partition: rows of a month that has no partition yet (copied here
/// from before this migration, or written with a clock far off) land there, and the partition
/// maintenance moves them into their month when it creates it. SQLite keeps plain tables.
let migration010EventPartitions = Migration(
    10, "event_partitions",
    tables: [
        Table(
            "integration_event_keys", primaryKey: ["account_id", "event_key"],
            [
                [
                    uuid("account_id").references("accounts", onDelete: .cascade),
                    varchar("event_key", 255),
                    uuid("event_id"),
                    timestamp("created_at"),
                ]
            ])
    ],
    indexes: [
        Index("idx_integration_event_keys_event", on: "integration_event_keys", ["event_id"])
    ]
) { dialect in
    let copyKeys =
        "INSERT INTO integration_event_keys (account_id, event_key, event_id, created_at) SELECT account_id, event_key, id, created_at FROM integration_events"
    switch dialect {
    case .sqlite:
        return [
            copyKeys,
            "ALTER TABLE webhook_delivery_attempts ADD COLUMN event_id TEXT",
            "UPDATE webhook_delivery_attempts SET event_id = (SELECT d.event_id FROM webhook_deliveries d WHERE d.id = webhook_delivery_attempts.delivery_id)",
            Index("idx_webhook_delivery_attempts_event", on: "webhook_delivery_attempts", ["event_id"]).render(dialect),
        ]
    case .postgres:
        let events = ["id", "account_id", "event_key", "event_type", "source_system", "payload", "status", "created_at", "updated_at"]
        let deliveries = [
            "id", "account_id", "endpoint_id", "event_id", "job_id", "message_id", "status", "attempts", "last_attempt_at",
            "next_attempt_at", "response_code", "last_error", "created_at", "updated_at",
        ]
        let attempts = ["id", "delivery_id", "attempt", "requested_at", "latency_ms", "response_code", "response_excerpt", "error"]
        let list = { (columns: [String]) in columns.joined(separator: ", ") }
        var statements = [copyKeys]
        for table in ["integration_events", "webhook_deliveries", "webhook_delivery_attempts"] {
            statements.append("ALTER TABLE \(table) RENAME TO \(table)_unpartitioned")
            statements.append("ALTER INDEX \(table)_pkey RENAME TO \(table)_unpartitioned_pkey")
        }
        for table in partitionedEventTables {
            statements.append(table.render(dialect))
            statements.append("CREATE TABLE \(table.name)_default PARTITION OF \(table.name) DEFAULT")
        }
        statements += [
            "INSERT INTO integration_events (\(list(events))) SELECT \(list(events)) FROM integration_events_unpartitioned",
            "INSERT INTO webhook_deliveries (\(list(deliveries))) SELECT \(list(deliveries)) FROM webhook_deliveries_unpartitioned",
            """
            INSERT INTO webhook_delivery_attempts (\(list(attempts)), event_id)
            SELECT \(list(attempts.map { "a." + $0 })), d.event_id FROM webhook_delivery_attempts_unpartitioned a
            JOIN webhook_deliveries_unpartitioned d ON d.id = a.delivery_id
            """,
            // CASCADE takes the foreign keys into them along (dead_letters' two).
            "DROP TABLE webhook_delivery_attempts_unpartitioned, webhook_deliveries_unpartitioned, integration_events_unpartitioned CASCADE",
        ]
        statements += [
            Index("idx_integration_events_status", on: "integration_events", ["status"]),
            Index("idx_integration_events_created", on: "integration_events", ["created_at"]),
            Index("idx_integration_events_account_created", on: "integration_events", ["account_id", "created_at"]),
            Index("idx_webhook_deliveries_endpoint", on: "webhook_deliveries", ["endpoint_id"]),
            Index("idx_webhook_deliveries_status", on: "webhook_deliveries", ["status"]),
            Index("idx_webhook_deliveries_event", on: "webhook_deliveries", ["event_id"]),
            Index("uq_webhook_deliveries_endpoint_event", on: "webhook_deliveries", ["endpoint_id", "event_id"], unique: true),
            Index("idx_webhook_deliveries_endpoint_status", on: "webhook_deliveries", ["endpoint_id", "status", "updated_at"]),
            Index("idx_webhook_delivery_attempts_delivery", on: "webhook_delivery_attempts", ["delivery_id", "attempt"]),
            Index("idx_webhook_delivery_attempts_event", on: "webhook_delivery_attempts", ["event_id"]),
        ].map { $0.render(dialect) }
        return statements
    }
}

/// The three tables as partitioned on PostgreSQL (the columns of migrations 4 and 9, without
/// the foreign keys between them; see above).
let partitionedEventTables = [
    Table(
        "integration_events",
        [
            [
                id(),
                uuid("account_id").references("accounts", onDelete: .cascade),
                varchar("event_key", 255),
                varchar("event_type", 255),
                varchar("source_system", 255),
                json("payload"),
                varchar("status", 20).defaulting(.string("received")).oneOf(["received", "dispatched", "completed", "failed"]),
            ],
            timestamps(),
        ], partitionedBy: "id"),
    Table(
        "webhook_deliveries",
        [
            [
                id(),
                uuid("account_id").references("accounts", onDelete: .cascade),
                uuid("endpoint_id").references("webhook_endpoints", onDelete: .cascade),
                uuid("event_id"),
                uuid("job_id").null().references("jobs", onDelete: .setNull),
                varchar("message_id", 64),
                varchar("status", 20).defaulting(.string("pending")).oneOf(["pending", "succeeded", "failed", "dead"]),
                integer("attempts").defaulting(.int(0)).check("$ >= 0"),
                timestamp("last_attempt_at").null(),
                timestamp("next_attempt_at").null(),
                integer("response_code").null(),
                text("last_error").null(),
            ],
            timestamps(),
        ], partitionedBy: "event_id"),
    Table(
        "webhook_delivery_attempts",
        [
            [
                id(),
                uuid("delivery_id"),
                integer("attempt").check("$ >= 1"),
                timestamp("requested_at"),
                integer("latency_ms").null(),
                integer("response_code").null(),
                text("response_excerpt").null(),
                text("error").null(),
                uuid("event_id"),
            ]
        ], partitionedBy: "event_id"),
]
