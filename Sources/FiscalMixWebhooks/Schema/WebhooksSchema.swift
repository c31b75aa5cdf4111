public import FiscalMixDatabase

/// The webhooks slice's own schema steps, after the baseline.
public enum WebhooksSchema {
    public static let migrations: [Migration] = [migration015SealedWebhookHeaders]
}
