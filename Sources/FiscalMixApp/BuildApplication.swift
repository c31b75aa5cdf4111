public import FiscalMixAPI
import FiscalMixBlobs
import FiscalMixConnectors
public import FiscalMixCore
public import FiscalMixDatabase
import FiscalMixFiscal
import FiscalMixHTTPEdge
import FiscalMixIdentity
public import FiscalMixJobs
public import FiscalMixOutbound
public import FiscalMixSecrets
public import FiscalMixVault
import FiscalMixWebhooks
import Foundation
public import Hummingbird
public import Logging
public import ServiceLifecycle
import UnixSignals

/// The composition root: one place that reads configuration, opens the database, builds the
/// services and wires the HTTP server and background services together.
public struct FiscalMixRuntime: Sendable {
    public let configuration: AppConfiguration
    public let database: Database
    public let services: APIServices
    public let logger: Logger
    public let jobRegistry: JobRegistry
    public let jobQueue: JobQueue
    /// The one vault of the process (sealed secrets, references, connector tokens).
    public let vault: SecretVault
    public let metrics: RuntimeMetrics
    /// Seals and opens every secret (envelope encryption under the master key).
    public let envelopes: EnvelopeService
    /// The one client for outside calls.
    public let outbound: OutboundClient
    let wakeups: JobWakeups
    let clock: any WallClock

    /// Opens the database (running migrations when configured) and builds every service.
    public static func start(
        _ configuration: AppConfiguration, clock: any WallClock = SystemWallClock(), logger: Logger
    ) async throws -> FiscalMixRuntime {
        let masterKey = try MasterKeyLoader.load(configuration, logger: logger)
        let envelopes = EnvelopeService(keys: LocalKeyProvider(current: masterKey, previous: try MasterKeyLoader.previous(configuration)))
        try FileManager.default.createDirectory(atPath: configuration.blobDirectory, withIntermediateDirectories: true)
        let database = try Database.open(url: configuration.databaseURL, logger: logger)
        do {
            if configuration.runMigrationsOnStart {
                try await MigrationRunner(database: database, history: try FiscalMixSchema.history(), logger: logger).run()
            }
            // The event partitions of this month and those ahead exist before anything is
            // written (the daily events.retention job keeps them ahead). Without them rows wait
            // in the default partition, so a failure here is worth a warning, not a refusal.
            do {
                try await EventRetention(database: database).prepare(
                    monthsAhead: configuration.eventPartitionsAhead,
                    retentionMonths: configuration.eventRetentionMonths, now: clock.now())
            } catch {
                logger.warning("could not prepare event partitions", metadata: ["error": "\(String(reflecting: error))"])
            }
            let vault = SecretVault(database: database, envelopes: envelopes, clock: clock)
            let mfaSecrets = MFASecrets(
                database: database, vault: vault,
                masterKeys: [masterKey] + (try MasterKeyLoader.previous(configuration)))
            let auth = AuthService(
                database: database, mfaSecrets: mfaSecrets, configuration: configuration.identity,
                clock: clock, logger: logger)
            let writer = RequestLogWriter(repository: RequestLogBook(database: database), logger: logger)
            let metrics = RuntimeMetrics()
            // Across several server processes the rate-limit buckets must be shared: in the
            // database on PostgreSQL; one SQLite file has one server process, which keeps them.
            let rateLimits: any RateLimitStore =
                configuration.usesEmbeddedDatabase
                ? LocalRateLimitStore() : SQLRateLimitStore(database: database)
            let addressRules = AccountAddressRuleCache(database: database)
            let outbound = OutboundClient(
                configuration: .init(
                    addressGuard: AddressGuard(
                        allowed: configuration.outboundAllow,
                        accountGrantable: configuration.outboundAccountGrantable),
                    maxResponseBytes: configuration.outboundMaxResponseBytes, accountRules: addressRules),
                rateLimits: rateLimits, breakers: CircuitBreakers(onTransition: metrics.outbound.breakerChanged),
                log: OutboundRequestLog(writer: writer))
            let objectStore: (any BlobStore & BlobLinks)? =
                configuration.s3.map { S3BlobStore($0, client: outbound) }
                ?? configuration.azure.map { AzureBlobStore($0, client: outbound) }
            let blobs: any BlobStore = objectStore ?? LocalBlobStore(root: configuration.blobDirectory)
            // S3 and Azure sign their own download links; the local folder's are served here.
            let linkSigner = BlobLinkSigner(masterKey: masterKey)
            let blobLinks: any BlobLinks =
                objectStore
                ?? SignedBlobLinks(
                    signer: linkSigner,
                    baseURL: configuration.publicURL
                        ?? "http://\(configuration.host.contains(":") ? "[\(configuration.host)]" : configuration.host):\(configuration.port)")
            let wakeups = JobWakeups()
            // One queue for the whole process; its per-type defaults are set below, once the
            // handlers (which need the services that enqueue) exist.
            let jobTypes = JobTypeDefaults()
            let jobQueue = JobQueue(database: database, types: jobTypes, clock: clock, metrics: metrics.jobs, wakeups: wakeups)
            let endpoint = MetricsEndpoint(bearerToken: configuration.metricsToken) {
                try await metrics.render(database: database, queues: configuration.workerQueues)
            }
            let services = try makeServices(
                ServiceInfrastructure(
                    database: database, configuration: configuration, auth: auth, vault: vault, requestLogWriter: writer, metrics: endpoint,
                    outbound: outbound, blobs: blobs, blobLinks: blobLinks, linkSigner: linkSigner, jobQueue: jobQueue,
                    addressRules: addressRules, logger: logger))
            // Endpoints written before header values were sealed are sealed now, once.
            do {
                let sealed = try await services.webhookEndpoints.sealPlaintextHeaders()
                if sealed > 0 { logger.notice("sealed the custom headers of webhook endpoints", metadata: ["endpoints": "\(sealed)"]) }
            } catch {
                logger.warning("could not seal webhook endpoints' custom headers", metadata: ["error": "\(String(reflecting: error))"])
            }
            var registry = BuiltInJobs.registry(database: database, configuration: configuration, clock: clock)
            let syncJob = DFeSyncJob(
                database: database, service: services.sync, client: SefazDistributionClient(outbound: outbound),
                blobs: blobs, clock: clock, logger: logger)
            registry.register(syncJob.definition)
            registry.register(services.manifestation.definition)
            registry.register(
                WebhookDeliverer(
                    database: database, vault: vault,
                    outbound: outbound, clock: clock, logger: logger
                ).definition)
            registry.register(InboxProcessor(database: database, blobs: blobs, clock: clock).definition)
            registry.register(
                JobDefinition(type: DFeSyncService.dispatchJobType, maxAttempts: 3, timeout: .seconds(600)) { [sync = services.sync] _ in
                    _ = try await sync.dispatchScheduled()
                })
            jobTypes.use(registry)
            return FiscalMixRuntime(
                configuration: configuration, database: database, services: services, logger: logger,
                jobRegistry: registry, jobQueue: jobQueue, vault: vault,
                metrics: metrics, envelopes: envelopes, outbound: outbound, wakeups: wakeups, clock: clock)
        } catch {
            try? await database.shutdown()
            throw error
        }
    }

    /// The HTTP application with its background services: the request-log writer, the database
    /// pool and, unless `workers` is false, the job workers (what the tests run).
    public func buildApplication(workers: Bool = false) -> some ApplicationProtocol {
        makeApplication(services: backgroundServices(workers: workers))
    }

    /// `fiscalmix serve`: the HTTP application and its background services as peers in one group
    /// that stops gracefully on SIGTERM/SIGINT — and also when any of them ends or fails. (Inside
    /// the application's own group a failing service would cancel the HTTP server instead, and a
    /// cancelled server traps on a connection it accepted but had not yet served.)
    public func serveServiceGroup(workers: Bool) -> ServiceGroup {
        Self.gracefulGroup(backgroundServices(workers: workers) + [makeApplication(services: [])], logger: logger)
    }

    /// Shut down in reverse: HTTP server, workers (finish in-flight jobs), the log writer (final
    /// flush), then the pool.
    func backgroundServices(workers: Bool) -> [any Service] {
        var background: [any Service] = [DatabaseService(database: database), services.requestLogWriter, OutboundService(client: outbound)]
        if workers { background += makeWorkers() as [any Service] + [scheduler] }
        return background
    }

    func makeApplication(services background: [any Service]) -> some ApplicationProtocol & Service {
        Application(
            router: buildRouter(services),
            server: .http1(additionalChannelHandlers: [HTTPParseErrorResponder()]),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "FiscalMix"),
            services: background,
            logger: logger
        )
    }

    static func gracefulGroup(_ services: [any Service], logger: Logger) -> ServiceGroup {
        ServiceGroup(
            configuration: .init(
                services: services.map {
                    .init(
                        service: $0, successTerminationBehavior: .gracefullyShutdownGroup,
                        failureTerminationBehavior: .gracefullyShutdownGroup)
                },
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
    }

    /// One worker per configured queue.
    public func makeWorkers() -> [JobWorker] {
        configuration.workerQueues.map { queue in
            var options = JobWorker.Options()
            options.queue = queue
            options.concurrency = configuration.workerConcurrency
            options.lease = .seconds(configuration.jobLeaseSeconds)
            options.heartbeat = .milliseconds(configuration.jobLeaseSeconds * 1000 / 3)
            options.prefetch = configuration.workerPrefetch
            options.claimBatch = configuration.workerClaimBatch
            options.passesInFlight = configuration.workerPasses
            let worker = JobWorker(database: database, registry: jobRegistry, clock: clock, logger: logger, options: options, metrics: metrics.jobs)
            wakeups.register(worker)
            return worker
        }
    }

    /// Workers only (`fiscalmix worker`), with the pool closed after they stop.
    public func workerServiceGroup() -> ServiceGroup {
        Self.gracefulGroup([DatabaseService(database: database)] + makeWorkers().map { $0 as any Service } + [scheduler], logger: logger)
    }

    /// Wakes this process's idle workers now instead of at their next idle poll (after a test
    /// clock moved past retries that are now due).
    public func wakeWorkers() {
        for queue in configuration.workerQueues { wakeups.notify(queue: queue) }
    }

    /// Turns due schedule ticks into jobs (safe to run in every process).
    public var scheduler: JobScheduler { JobScheduler(database: database, clock: clock, logger: logger, metrics: metrics.jobs) }

    public func enqueueHousekeeping() async {
        do { try await BuiltInJobs.defineHousekeeping(scheduler) } catch {
            logger.warning("could not enqueue housekeeping", metadata: ["error": "\(String(reflecting: error))"])
        }
    }
}

/// Closes the outbound client's connections on shutdown.
struct OutboundService: Service {
    let client: OutboundClient

    func run() async throws {
        try? await gracefulShutdown()
        try await client.shutdown()
    }
}

/// Outside calls become request-log rows (direction outbound), written with the API's.
struct OutboundRequestLog: OutboundLogSink {
    let writer: RequestLogWriter

    func record(_ entry: OutboundLogEntry) {
        // Each outside call gets its own id: the (account, request id) key is the API request's.
        writer.append(
            RequestLogEntry(
                id: UUID(), accountId: entry.accountId, requestId: "out-" + UUID().uuidString.lowercased(), traceId: entry.requestId,
                actorType: "system", actorId: nil, connectorId: entry.connectorId, direction: "outbound", method: entry.method,
                path: String(entry.path.prefix(2048)), operation: entry.operation, status: entry.status, httpStatus: entry.httpStatus,
                latencyMs: entry.latencyMs, retryCount: entry.retryCount, idempotencyKey: entry.idempotencyKey, ip: nil, createdAt: Date()))
    }
}

/// Closes the connection pool after everything else has stopped.
struct DatabaseService: Service {
    let database: Database

    func run() async throws {
        try? await gracefulShutdown()
        try await database.shutdown()
    }
}

extension Logger.Level {
    init(configured: String) {
        self = Logger.Level(rawValue: configured) ?? .info
    }
}

public func makeLogger(_ configuration: AppConfiguration, label: String = "fiscalmix") -> Logger {
    var logger = Logger(label: label)
    logger.logLevel = Logger.Level(configured: configuration.logLevel)
    return logger
}

extension FiscalMixRuntime {
    public func appliedVersions() async throws -> [Int] {
        try await MigrationRunner(database: database, history: try FiscalMixSchema.history(), logger: logger).appliedVersions()
    }
}

extension FiscalMixRuntime {
    public var keyRotation: KeyRotation {
        KeyRotation(database: database, envelopes: envelopes, sealedElsewhere: services.auth.mfaSecrets, clock: clock)
    }
}
