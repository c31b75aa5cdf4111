public import FiscalMixDatabase

/// Migrations 1–14, frozen: the schema every installation before the slices had. Each step spans
/// several features, so they stay together here; every later step lives in the slice that owns
/// its tables (docs/architecture.md).
public enum BaselineSchema {
    public static let migrations: [Migration] = [
        migration001Identity, migration002Integrations, migration003Jobs, migration004Events, migration005Fiscal,
        migration006JobNotifications, migration007RateLimitBuckets, migration008Sync, migration009Webhooks,
        migration010EventPartitions, migration011OutboundAllow, migration012ConnectorTokenCredential,
        migration013LeanHotIndexes, migration014JobRunsRoomForHOT,
    ]
}
