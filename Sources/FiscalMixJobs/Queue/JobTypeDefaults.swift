import Synchronization

/// The registry a `JobQueue` takes its per-type defaults (max attempts) from, set once the
/// handlers exist.
public final class JobTypeDefaults: Sendable {
    let registry: Mutex<JobRegistry>

    public init(_ registry: JobRegistry = JobRegistry()) { self.registry = Mutex(registry) }

    public func use(_ registry: JobRegistry) { self.registry.withLock { $0 = registry } }

    subscript(type: String) -> JobDefinition? { registry.withLock { $0[type] } }
}
