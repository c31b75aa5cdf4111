public import FiscalMixConformance
public import Testing

extension Trait where Self == ConditionTrait {
    /// Runs the test only where the outside test data it reads is present; elsewhere it is
    /// skipped with a notice naming the data and how to fetch it (a failure under
    /// `FISCALMIX_REQUIRE_TEST_DATA=1`, as in CI). See `ConformanceSuites`.
    public static func requires(_ set: ConformanceSuites.DataSet) -> Self {
        .enabled(if: try ConformanceSuites.available(set), Comment(rawValue: ConformanceSuites.notice(set)))
    }
}
