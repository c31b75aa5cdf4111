import FiscalMixDatabase

/// Webhook deliveries, beyond migration 4's columns:
/// - one delivery per (endpoint, event): a replay resets the row, so the Standard Webhooks
///   `webhook-id` stays the same and receivers can deduplicate;
/// - `last_error` on the delivery (the attempts keep each one);
/// - an account-wide retry schedule (`accounts.webhook_retry_schedule`) endpoints fall back to;
/// - `inbox_providers`: who may post to the inbound inbox, how its signatures are checked (the
///   shared secret sealed and referenced), where its event id is, and the event type accepted
///   messages become (docs/data-model.md WebhookInbox's `provider`, made configurable per account).
let migration009Webhooks = Migration(
    9, "webhook_deliveries_inbox_providers",
    tables: [
        Table(
            "inbox_providers", unique: [["account_id", "name"]],
            [
                [
                    id(),
                    uuid("account_id").references("accounts", onDelete: .cascade),
                    varchar("name", 100),
                    varchar("verifier", 30).oneOf(["standard_webhooks", "hmac_sha256", "timestamped_hmac"]),
                    uuid("secret_ref_id").null().references("secret_refs", onDelete: .setNull),
                    varchar("signature_header", 100).null(),
                    varchar("event_id_header", 100).null(),
                    varchar("event_id_pointer", 255).null(),
                    varchar("event_type", 255),
                    integer("tolerance_seconds").defaulting(.int(300)).check("$ BETWEEN 1 AND 3600"),
                ],
                timestamps(),
            ])
    ],
    indexes: [
        Index("uq_webhook_deliveries_endpoint_event", on: "webhook_deliveries", ["endpoint_id", "event_id"], unique: true),
        Index("idx_webhook_deliveries_endpoint_status", on: "webhook_deliveries", ["endpoint_id", "status", "updated_at"]),
        Index("idx_dead_letters_delivery", on: "dead_letters", ["delivery_id"]),
    ]
) { dialect in
    [
        "ALTER TABLE webhook_deliveries ADD COLUMN last_error \(dialect.render(.text))",
        "ALTER TABLE accounts ADD COLUMN webhook_retry_schedule \(dialect.render(.json))",
    ]
}
