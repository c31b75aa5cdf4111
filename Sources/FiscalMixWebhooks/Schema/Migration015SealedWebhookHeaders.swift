import FiscalMixDatabase

/// `webhook_endpoints.headers_secret_ref_id`: an endpoint's custom header values, sealed by the
/// vault like every other credential. `headers` keeps only the names (values empty); rows written
/// before this step are sealed when the server starts (`WebhookEndpointService.sealPlaintextHeaders`).
let migration015SealedWebhookHeaders = Migration(15, "sealed_webhook_headers", tables: []) { dialect in
    ["ALTER TABLE webhook_endpoints ADD COLUMN headers_secret_ref_id \(dialect.render(.uuid))"]
}
