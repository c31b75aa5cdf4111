public import FiscalMixDatabase
import FiscalMixFiscal
import FiscalMixSchemaBaseline
import FiscalMixWebhooks

/// Every slice's schema steps in one history. A new slice with tables adds its list here.
public enum FiscalMixSchema {
    public static func history() throws(MigrationHistoryError) -> MigrationHistory {
        try MigrationHistory(BaselineSchema.migrations, WebhooksSchema.migrations, FiscalSchema.migrations)
    }
}
