import FiscalMixDatabase

/// Token buckets for outbound rate limits, shared by every server process on the database (see
/// `SQLRateLimitStore`). Times are Unix seconds of the database's clock.
let migration007RateLimitBuckets = Migration(
    7, "rate_limit_buckets",
    tables: [
        Table(
            "rate_limit_buckets", primaryKey: ["bucket_key"],
            [
                [
                    varchar("bucket_key", 255),
                    double("tokens"),
                    double("refreshed_at"),
                ]
            ])
    ])
