import FiscalMixDatabase

/// Integration events, mappings, outbound webhooks with their deliveries and dead letters, and
/// the inbound webhook inbox. Seeds: 001 (all its tables), 002 WebhookInbox.
let migration004Events = Migration(
    4, "events_webhooks_inbox",
    tables: [
        Table(
            "event_types", unique: [["account_id", "name"]],
            [
                [
                    id(),
                    uuid("account_id").references("accounts", onDelete: .cascade),
                    varchar("name", 255),
                    text("description").null(),
                    json("payload_schema").null(),
                ],
                timestamps(),
            ]),
        Table(
            "integration_events", unique: [["account_id", "event_key"]],
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
            ]),
        Table(
            "event_mappings", unique: [["account_id", "event_type", "target_system", "version"]],
            [
                [
                    id(),
                    uuid("account_id").references("accounts", onDelete: .cascade),
                    varchar("event_type", 255),
                    varchar("target_system", 255),
                    varchar("profile", 20).oneOf(["jsonata", "jmespath", "custom"]),
                    json("mapping_json"),
                    integer("version").check("$ >= 1"),
                    boolean("active").defaulting(.bool(true)),
                    timestamp("created_at").defaulting(.now),
                ]
            ]),
        Table(
            "webhook_endpoints",
            [
                [
                    id(),
                    uuid("account_id").references("accounts", onDelete: .cascade),
                    varchar("system_name", 255),
                    varchar("url", 2048),
                    text("description").null(),
                    varchar("status", 20).defaulting(.string("active")).oneOf(["active", "paused", "disabled"]),
                    json("event_types").defaulting(.jsonArray),
                    json("headers").defaulting(.jsonObject),
                    varchar("signing_scheme", 10).defaulting(.string("v1")).oneOf(["v1", "v1a"]),
                    uuid("secret_ref_id").null().references("secret_refs", onDelete: .setNull),
                    uuid("previous_secret_ref_id").null().references("secret_refs", onDelete: .setNull),
                    timestamp("previous_secret_expires_at").null(),
                    text("public_key").null(),
                    uuid("policy_id").null().references("policies", onDelete: .setNull),
                    json("retry_schedule").null(),
                    integer("rate_limit_per_second").null(),
                    timestamp("failing_since").null(),
                    text("disabled_reason").null(),
                ],
                timestamps(),
            ]),
        Table(
            "webhook_deliveries",
            [
                [
                    id(),
                    uuid("account_id").references("accounts", onDelete: .cascade),
                    uuid("endpoint_id").references("webhook_endpoints", onDelete: .cascade),
                    uuid("event_id").references("integration_events", onDelete: .cascade),
                    uuid("job_id").null().references("jobs", onDelete: .setNull),
                    varchar("message_id", 64),
                    varchar("status", 20).defaulting(.string("pending")).oneOf(["pending", "succeeded", "failed", "dead"]),
                    integer("attempts").defaulting(.int(0)).check("$ >= 0"),
                    timestamp("last_attempt_at").null(),
                    timestamp("next_attempt_at").null(),
                    integer("response_code").null(),
                ],
                timestamps(),
            ]),
        Table(
            "webhook_delivery_attempts",
            [
                [
                    id(),
                    uuid("delivery_id").references("webhook_deliveries", onDelete: .cascade),
                    integer("attempt").check("$ >= 1"),
                    timestamp("requested_at"),
                    integer("latency_ms").null(),
                    integer("response_code").null(),
                    text("response_excerpt").null(),
                    text("error").null(),
                ]
            ]),
        // `dead_letter`, widened to every kind of job (docs/data-model.md).
        Table(
            "dead_letters",
            [
                [
                    id(),
                    uuid("account_id").null().references("accounts", onDelete: .cascade),
                    uuid("job_id").null().references("jobs", onDelete: .setNull),
                    varchar("job_type", 100),
                    uuid("event_id").null().references("integration_events", onDelete: .cascade),
                    uuid("delivery_id").null().references("webhook_deliveries", onDelete: .cascade),
                    text("reason"),
                    json("payload").null(),
                    timestamp("created_at").defaulting(.now),
                    timestamp("requeued_at").null(),
                ]
            ]),
        Table(
            "webhook_inbox", unique: [["account_id", "provider", "event_id"]],
            [
                [
                    id(),
                    uuid("account_id").references("accounts", onDelete: .cascade),
                    varchar("provider", 100),
                    varchar("event_id", 255),
                    boolean("signature_valid"),
                    varchar("status", 20).defaulting(.string("received")).oneOf(["received", "processed", "ignored", "failed"]),
                    text("payload_ref").null(),
                    json("payload_json").null(),
                    json("headers").defaulting(.jsonObject),
                    text("error").null(),
                    timestamp("received_at").defaulting(.now),
                    timestamp("processed_at").null(),
                ]
            ]),
    ],
    indexes: [
        Index("idx_integration_events_status", on: "integration_events", ["status"]),
        Index("idx_integration_events_created", on: "integration_events", ["created_at"]),
        Index("idx_integration_events_account_created", on: "integration_events", ["account_id", "created_at"]),
        Index("idx_webhook_endpoints_account", on: "webhook_endpoints", ["account_id"]),
        Index("idx_webhook_deliveries_endpoint", on: "webhook_deliveries", ["endpoint_id"]),
        Index("idx_webhook_deliveries_status", on: "webhook_deliveries", ["status"]),
        Index("idx_webhook_deliveries_event", on: "webhook_deliveries", ["event_id"]),
        Index("idx_webhook_delivery_attempts_delivery", on: "webhook_delivery_attempts", ["delivery_id", "attempt"]),
        Index("idx_dead_letters_account_created", on: "dead_letters", ["account_id", "created_at"]),
        Index("idx_webhook_inbox_account_received", on: "webhook_inbox", ["account_id", "received_at"]),
    ])
