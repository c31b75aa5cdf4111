import CoreMetrics
public import FiscalMixDatabase
public import FiscalMixJobs
public import FiscalMixOutbound
public import Prometheus

/// The runtime's Prometheus registry and the metrics written into it. One per runtime rather
/// than the process-global `MetricsSystem.bootstrap`, so tests can run several side by side.
public struct RuntimeMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    public let jobs: JobMetrics
    public let outbound: OutboundMetrics

    public init() {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        // A job can wait for hours behind a backlog or a retry; handlers run from milliseconds
        // (webhooks) to minutes (DF-e sync, exports).
        factory.durationHistogramBuckets[JobMetrics.waitTime] = [
            .milliseconds(10), .milliseconds(100), .milliseconds(500), .seconds(1), .seconds(5), .seconds(30), .seconds(60),
            .seconds(300), .seconds(900), .seconds(3600),
        ]
        factory.durationHistogramBuckets[JobMetrics.duration] = [
            .milliseconds(5), .milliseconds(25), .milliseconds(100), .milliseconds(250), .seconds(1), .seconds(5), .seconds(15),
            .seconds(60), .seconds(300),
        ]
        jobs = JobMetrics(factory: factory)
        outbound = OutboundMetrics(factory: factory)
    }

    /// The exposition text, with the queue-depth gauges read from the database first (every
    /// queue in `queues` appears, at zero when it is empty).
    public func render(database: Database, queues: [String]) async throws -> String {
        try await jobs.refreshQueueDepth(database: database, knownQueues: queues)
        return registry.emitToString()
    }
}

/// Outbound circuit-breaker state per connector: `fiscalmix_outbound_circuit_state` is 0 closed,
/// 1 half-open, 2 open.
public struct OutboundMetrics: Sendable {
    let factory: PrometheusMetricsFactory

    init(factory: PrometheusMetricsFactory) { self.factory = factory }

    public var breakerChanged: @Sendable (String, CircuitBreakers.State) -> Void {
        { [factory] key, state in
            let gauge = Gauge(label: "fiscalmix_outbound_circuit_state", dimensions: [("key", key)], factory: factory)
            gauge.record(state == .closed ? 0 : (state == .halfOpen ? 1 : 2))
        }
    }
}
