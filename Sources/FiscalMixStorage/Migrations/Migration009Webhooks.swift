/// Webhook deliveries, beyond migration 4's columns:
/// - one delivery per (endpoint, event): a replay resets the row, so the Standard Webhooks
///   `webhook-id` stays the same and receivers can deduplicate;
/// - `last_error` on the delivery (the attempts keep each one);
/// - an account-wide retry schedule (`accounts.webhook_retry_schedule`) endpoints fall back to.
let migration009Webhooks = Migration(9, "webhook_deliveries", tables: [], indexes: [
    Index("uq_webhook_deliveries_endpoint_event", on: "webhook_deliveries", ["endpoint_id", "event_id"], unique: true),
    Index("idx_webhook_deliveries_endpoint_status", on: "webhook_deliveries", ["endpoint_id", "status", "updated_at"]),
    Index("idx_dead_letters_delivery", on: "dead_letters", ["delivery_id"]),
]) { dialect in
    [
        "ALTER TABLE webhook_deliveries ADD COLUMN last_error \(dialect.render(.text))",
        "ALTER TABLE accounts ADD COLUMN webhook_retry_schedule \(dialect.render(.json))",
    ]
}
