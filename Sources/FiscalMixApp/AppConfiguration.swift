public import FiscalMixBlobs
public import FiscalMixConnectors
public import FiscalMixCore
import FiscalMixHTTPEdge
public import FiscalMixIdentity
import FiscalMixOutbound
import FiscalMixSecrets
public import Foundation

/// Everything FiscalMix reads from its environment, with the defaults that make a bare
/// `fiscalmix serve` work: SQLite and blobs under `./fiscalmix-data`, 127.0.0.1:8080.
///
/// Sources, strongest first: environment variables, then `KEY=VALUE` lines of the file named by
/// `FISCALMIX_CONFIG_FILE` (`ConfigurationSettings`), then defaults. See docs/configuration.md.
public struct AppConfiguration: Sendable {
    public var dataDirectory: String
    public var databaseURL: String
    public var blobDirectory: String
    /// Blobs in an S3-compatible bucket instead of `blobDirectory` (`FISCALMIX_BLOB_STORE=s3`
    /// with the `FISCALMIX_S3_*` settings; docs/configuration.md).
    public var s3: S3BlobStore.Configuration?
    /// Blobs in an Azure Blob Storage container (`FISCALMIX_BLOB_STORE=azure` with the
    /// `FISCALMIX_AZURE_*` settings).
    public var azure: AzureBlobStore.Configuration?
    public var host: String
    public var port: Int
    public var masterKeyBase64: String?
    /// Keys that sealed secrets before a rotation: they still unwrap, never wrap.
    public var previousMasterKeysBase64: [String]
    public var logLevel: String
    public var publicURL: String?
    public var identity: IdentityConfiguration
    public var runMigrationsOnStart: Bool
    public var benchmarkRoutes: Bool
    /// One line per request at info level: method, route, status, duration, request and account
    /// ids — never bodies or credentials (`FISCALMIX_ACCESS_LOG`, default true).
    public var accessLog: Bool
    public var workerQueues: [String]
    public var workerConcurrency: Int
    public var workerPrefetch: Int
    /// The most jobs one pass claims (nil: as many as there is room for).
    public var workerClaimBatch: Int?
    public var workerPasses: Int
    public var jobLeaseSeconds: Int
    /// Bearer token `/metrics` requires; open when unset (bind to a private interface then).
    public var metricsToken: String?
    /// Internal addresses outside calls may reach in spite of the SSRF guard: CIDR blocks or host
    /// names (`FISCALMIX_OUTBOUND_ALLOW=10.0.0.0/8,erp.internal`).
    public var outboundAllow: [String]
    /// Internal address blocks an account administrator may open to the account's own calls
    /// (`FISCALMIX_OUTBOUND_ACCOUNT_ALLOW`); an account's list must lie inside them. Empty: no
    /// account can open any internal address.
    public var outboundAccountGrantable: [String]
    /// The largest answer an outside call may return.
    public var outboundMaxResponseBytes: Int
    /// Environment variables connectors may name as `env` secret references
    /// (`FISCALMIX_SECRET_REF_ENV`); none by default.
    public var secretRefEnvironmentNames: [String]
    /// The directory `file` secret references must resolve into (`FISCALMIX_SECRET_REF_DIR`);
    /// none by default.
    public var secretRefDirectory: String?
    /// The `fiscalmix` executable that opens uploaded PKCS#12 files first, in a child process
    /// (`FISCALMIX_PKCS12_INSPECTOR`; by default this process's own executable when it is
    /// `fiscalmix`, none when FiscalMix runs inside another program such as a test runner).
    public var pkcs12Inspector: String?
    /// API requests allowed per minute per API key (or signed-in user) and per account
    /// (`FISCALMIX_API_RATE_LIMIT_PER_KEY`, `FISCALMIX_API_RATE_LIMIT_PER_ACCOUNT`; 0 = none).
    public var apiRateLimits: APIRateLimits
    /// Whole months of integration events (with their deliveries and attempts) kept before the
    /// current one (`FISCALMIX_EVENT_RETENTION_MONTHS`, 1–120, default 12).
    public var eventRetentionMonths: Int
    /// Monthly event partitions created ahead on PostgreSQL (`FISCALMIX_EVENT_PARTITIONS_AHEAD`,
    /// 1–24, default 3).
    public var eventPartitionsAhead: Int

    public var usesEmbeddedDatabase: Bool { !(databaseURL.hasPrefix("postgres://") || databaseURL.hasPrefix("postgresql://")) }

    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
    }

    /// Settings from the environment and the configuration file.
    public static func load(environment: [String: String] = ProcessInfo.processInfo.environment) async throws -> AppConfiguration {
        try AppConfiguration(await ConfigurationSettings.load(environment: environment))
    }

    /// Settings given directly (tests, embedding programs).
    public init(values: [String: String]) throws { try self.init(ConfigurationSettings(values: values)) }

    public init(_ settings: ConfigurationSettings) throws {
        func string(_ key: String, _ fallback: String) -> String { settings.string(key) ?? fallback }
        func int(_ key: String, _ fallback: Int, _ range: ClosedRange<Int>) throws -> Int { try settings.int(key, range) ?? fallback }
        func bool(_ key: String, _ fallback: Bool) throws -> Bool { try settings.bool(key) ?? fallback }
        func blobPrefix(_ key: String) throws -> String {
            let prefix = string(key, "")
            guard prefix.isEmpty || (prefix.hasSuffix("/") && BlobKey.isValid(String(prefix.dropLast()))) else {
                throw Invalid(description: "\(key) must be a key prefix ending in '/', such as 'fiscalmix/'.")
            }
            return prefix
        }
        dataDirectory = string("FISCALMIX_DATA_DIR", "./fiscalmix-data")
        databaseURL = string("FISCALMIX_DATABASE_URL", "sqlite:\(dataDirectory)/fiscalmix.sqlite")
        blobDirectory = string("FISCALMIX_BLOB_DIR", "\(dataDirectory)/blobs")
        s3 = nil
        azure = nil
        switch string("FISCALMIX_BLOB_STORE", "local") {
        case "local":
            break
        case "azure":
            let account = string("FISCALMIX_AZURE_ACCOUNT", "")
            let container = string("FISCALMIX_AZURE_CONTAINER", "")
            guard !account.isEmpty, !container.isEmpty else {
                throw Invalid(description: "FISCALMIX_BLOB_STORE=azure needs FISCALMIX_AZURE_ACCOUNT and FISCALMIX_AZURE_CONTAINER.")
            }
            let endpointText = string("FISCALMIX_AZURE_ENDPOINT", "https://\(account).blob.core.windows.net")
            guard let endpoint = URL(string: endpointText), ["http", "https"].contains(endpoint.scheme ?? ""), endpoint.host != nil,
                endpoint.user == nil, endpoint.password == nil, endpoint.query == nil
            else {
                throw Invalid(description: "FISCALMIX_AZURE_ENDPOINT must be an http(s) URL without credentials or query.")
            }
            let authorization: AzureBlobStore.Authorization
            switch (string("FISCALMIX_AZURE_ACCOUNT_KEY", ""), string("FISCALMIX_AZURE_SAS_TOKEN", "")) {
            case (let key, "") where !key.isEmpty:
                guard let sharedKey = AzureSharedKey(account: account, keyBase64: key) else {
                    throw Invalid(description: "FISCALMIX_AZURE_ACCOUNT_KEY must be the account key in base64.")
                }
                authorization = .sharedKey(sharedKey)
            case ("", let sas) where !sas.isEmpty:
                authorization = .sas(sas)
            default:
                throw Invalid(
                    description: "FISCALMIX_BLOB_STORE=azure needs exactly one of FISCALMIX_AZURE_ACCOUNT_KEY and FISCALMIX_AZURE_SAS_TOKEN.")
            }
            azure = AzureBlobStore.Configuration(
                endpoint: endpoint, container: container, authorization: authorization,
                prefix: try blobPrefix("FISCALMIX_AZURE_PREFIX"))
        case "s3":
            let region = string("FISCALMIX_S3_REGION", "us-east-1")
            let explicitEndpoint = settings.string("FISCALMIX_S3_ENDPOINT")
            let endpointText = explicitEndpoint ?? "https://s3.\(region).amazonaws.com"
            guard let endpoint = URL(string: endpointText), ["http", "https"].contains(endpoint.scheme ?? ""), endpoint.host != nil,
                endpoint.user == nil, endpoint.password == nil
            else {
                throw Invalid(description: "FISCALMIX_S3_ENDPOINT must be an http(s) URL without credentials.")
            }
            let bucket = string("FISCALMIX_S3_BUCKET", "")
            let keyId = string("FISCALMIX_S3_ACCESS_KEY_ID", ""), secret = string("FISCALMIX_S3_SECRET_ACCESS_KEY", "")
            guard !bucket.isEmpty, !keyId.isEmpty, !secret.isEmpty else {
                throw Invalid(
                    description: "FISCALMIX_BLOB_STORE=s3 needs FISCALMIX_S3_BUCKET, FISCALMIX_S3_ACCESS_KEY_ID and FISCALMIX_S3_SECRET_ACCESS_KEY.")
            }
            let prefix = try blobPrefix("FISCALMIX_S3_PREFIX")
            s3 = S3BlobStore.Configuration(
                endpoint: endpoint, bucket: bucket, region: region,
                credentials: .init(
                    accessKeyId: keyId, secretAccessKey: secret, sessionToken: settings.string("FISCALMIX_S3_SESSION_TOKEN")),
                // Self-hosted stores (MinIO, moto …) want path style; AWS wants the bucket in the host.
                pathStyle: try bool("FISCALMIX_S3_PATH_STYLE", explicitEndpoint != nil), prefix: prefix)
        case let other:
            throw Invalid(description: "FISCALMIX_BLOB_STORE must be local, s3 or azure, got '\(other)'.")
        }
        host = string("FISCALMIX_HOST", "127.0.0.1")
        port = try int("FISCALMIX_PORT", 8080, 0...65535)
        masterKeyBase64 = settings.string("FISCALMIX_MASTER_KEY")
        previousMasterKeysBase64 = settings.list("FISCALMIX_PREVIOUS_MASTER_KEYS")
        logLevel = string("FISCALMIX_LOG_LEVEL", "info")
        publicURL = settings.string("FISCALMIX_PUBLIC_URL")
        var identity = IdentityConfiguration()
        identity.bcryptCost = try int("FISCALMIX_BCRYPT_COST", 12, PasswordHasher.minimumCost...16)
        identity.sessionIdleTimeout = TimeInterval(try int("FISCALMIX_SESSION_IDLE_MINUTES", 480, 1...10_080) * 60)
        identity.sessionAbsoluteTimeout = TimeInterval(try int("FISCALMIX_SESSION_ABSOLUTE_HOURS", 168, 1...8_760) * 3600)
        self.identity = identity
        runMigrationsOnStart = try bool("FISCALMIX_AUTO_MIGRATE", true)
        benchmarkRoutes = try bool("FISCALMIX_BENCH_ROUTES", false)
        accessLog = try bool("FISCALMIX_ACCESS_LOG", true)
        let queues = settings.list("FISCALMIX_WORKER_QUEUES")
        workerQueues = queues.isEmpty ? ["default"] : queues
        workerConcurrency = try int("FISCALMIX_WORKER_CONCURRENCY", 4, 1...256)
        workerPrefetch = try int("FISCALMIX_WORKER_PREFETCH", 0, 0...1000)
        let claimBatch = try int("FISCALMIX_WORKER_CLAIM_BATCH", 0, 0...1000)
        workerClaimBatch = claimBatch == 0 ? nil : claimBatch
        workerPasses = try int("FISCALMIX_WORKER_PASSES", 2, 1...8)
        jobLeaseSeconds = try int("FISCALMIX_JOB_LEASE_SECONDS", 30, 2...3600)
        metricsToken = settings.string("FISCALMIX_METRICS_TOKEN")
        outboundAllow = settings.list("FISCALMIX_OUTBOUND_ALLOW")
        outboundAccountGrantable = settings.list("FISCALMIX_OUTBOUND_ACCOUNT_ALLOW")
        for block in outboundAccountGrantable where !AddressGuard.isBlock(block) {
            throw Invalid(description: "FISCALMIX_OUTBOUND_ACCOUNT_ALLOW lists CIDR blocks such as 10.20.0.0/16; '\(block)' is not one.")
        }
        secretRefEnvironmentNames = settings.list("FISCALMIX_SECRET_REF_ENV")
        secretRefDirectory = settings.string("FISCALMIX_SECRET_REF_DIR")
        outboundMaxResponseBytes = try int("FISCALMIX_OUTBOUND_MAX_RESPONSE_BYTES", 10 << 20, 1024...(1 << 30))
        apiRateLimits = APIRateLimits(
            perClient: try int("FISCALMIX_API_RATE_LIMIT_PER_KEY", 6_000, 0...10_000_000),
            perAccount: try int("FISCALMIX_API_RATE_LIMIT_PER_ACCOUNT", 12_000, 0...10_000_000))
        eventRetentionMonths = try int("FISCALMIX_EVENT_RETENTION_MONTHS", 12, 1...120)
        eventPartitionsAhead = try int("FISCALMIX_EVENT_PARTITIONS_AHEAD", 3, 1...24)
        pkcs12Inspector = settings.string("FISCALMIX_PKCS12_INSPECTOR") ?? ChildProcessPKCS12Isolation.ownExecutable?.path
        guard ["trace", "debug", "info", "notice", "warning", "error", "critical"].contains(logLevel) else {
            throw Invalid(description: "FISCALMIX_LOG_LEVEL must be one of trace, debug, info, notice, warning, error, critical.")
        }
        // Only SQLite opens the database's files: a blob key that named one would open and
        // close it beside SQLite, dropping its locks (docs/security.md).
        if s3 == nil, azure == nil, let sqlitePath,
            ExternalSecretSources.isInside(
                ExternalSecretSources.lexicallyNormalized(sqlitePath),
                ExternalSecretSources.lexicallyNormalized(blobDirectory))
        {
            throw Invalid(description: "FISCALMIX_BLOB_DIR must not contain the database (\(sqlitePath)); give blobs a folder of their own.")
        }
        if let publicURL, !(publicURL.hasPrefix("https://") || publicURL.hasPrefix("http://")) {
            throw Invalid(description: "FISCALMIX_PUBLIC_URL must start with http:// or https://.")
        }
    }

    /// The SQLite file of the embedded default (nil on PostgreSQL).
    public var sqlitePath: String? {
        guard usesEmbeddedDatabase else { return nil }
        var path = databaseURL
        if path.hasPrefix("sqlite://") { path.removeFirst("sqlite://".count) } else if path.hasPrefix("sqlite:") { path.removeFirst("sqlite:".count) }
        return path
    }

    /// The env and file secret references connectors may use, checked against FiscalMix's own
    /// files: the data and blob directories and the database never qualify.
    public func externalSecretSources() throws -> ExternalSecretSources {
        do {
            return try ExternalSecretSources(
                environmentNames: Set(secretRefEnvironmentNames), directory: secretRefDirectory,
                protectedPaths: [dataDirectory, blobDirectory] + (sqlitePath.map { [$0] } ?? []))
        } catch {
            throw Invalid(description: "FISCALMIX_SECRET_REF_ENV / FISCALMIX_SECRET_REF_DIR: \(error.description)")
        }
    }

    /// Session cookies are `Secure` when FiscalMix is reached over https.
    public var secureCookies: Bool { publicURL?.hasPrefix("https://") ?? false }
}
