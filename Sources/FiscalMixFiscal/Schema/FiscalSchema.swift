public import FiscalMixDatabase

/// The fiscal slice's own schema steps, after the baseline.
public enum FiscalSchema {
    public static let migrations: [Migration] = [migration016SyncSchedule]
}
