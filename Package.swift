// swift-tools-version:6.1
// FiscalMix: fiscal-document hub and integration platform.
// The layout, what each target owns and the rules: docs/architecture.md (its target graph is
// generated from this file by scripts/architecture-graph.sh). Dependencies point down only:
//   fiscalmix (CLI) → FiscalMixApp (composition root) → FiscalMixAPI → FiscalMixHTTPEdge
//   → feature slices (Jobs, Identity, Vault, Connectors, Webhooks, Fiscal, Blobs)
//   → kernel (FiscalMixDatabase, FiscalMixSecrets, FiscalMixOutbound) → FiscalMixCore
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

/// The expression engines evaluate over reference types they own for one evaluation (the JSONata
/// syntax tree, sequences and frames; the validator's budget), on one thread. Swift checks every
/// read and write of a class property against overlapping access at run time; in those loops the
/// checks cost 15% of a JSONata evaluation (perf: swift_beginAccess, AccessSet::insert and the
/// thread-local lookup behind them). The compile-time checks stay.
let engineSettings: [SwiftSetting] = swiftSettings + [.unsafeFlags(["-enforce-exclusivity=unchecked"])]

let package = Package(
    name: "fiscalmix",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "fiscalmix", targets: ["fiscalmix"])
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/vapor/sqlite-kit.git", from: "4.5.2"),
        .package(url: "https://github.com/vapor/postgres-kit.git", from: "2.17.0"),
        .package(url: "https://github.com/vapor/sqlite-nio.git", from: "1.13.2"),
        .package(url: "https://github.com/vapor/async-kit.git", from: "1.22.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.4.0"),
        .package(url: "https://github.com/apple/swift-system.git", from: "1.8.1"),
    ],
    targets: [
        // Core — domain values, ids, errors, ports. No I/O, no frameworks.
        .target(name: "FiscalMixCore", swiftSettings: swiftSettings),

        // Engines — the JSON value and the transform languages (standard library and Foundation
        // only, no I/O).
        .target(name: "FiscalMixJSON", swiftSettings: swiftSettings),
        .target(name: "FiscalMixJMESPath", dependencies: uses("FiscalMixJSON"), swiftSettings: swiftSettings),
        .target(name: "FiscalMixJSONSchema", dependencies: uses("FiscalMixJSON"), swiftSettings: engineSettings),
        .target(name: "FiscalMixJSONata", dependencies: uses("FiscalMixJSON"), swiftSettings: engineSettings),
        // The transform engines as a server uses them: one compiled transform per DSL profile, bounded.
        .target(
            name: "FiscalMixTransforms", dependencies: uses("FiscalMixJSON", "FiscalMixJMESPath", "FiscalMixJSONata"),
            swiftSettings: swiftSettings),
        // The conformance suites' runners, shared by the engines' test targets and the
        // release-build check in fiscalmix-transforms-bench.
        .target(
            name: "FiscalMixConformance", dependencies: uses("FiscalMixJSON", "FiscalMixJSONSchema", "FiscalMixJSONata"),
            swiftSettings: swiftSettings),
        // The XML reader and canonicalizer the fiscal documents and their signatures need.
        .target(name: "FiscalMixXML", swiftSettings: swiftSettings),
        // zlib from Debian (docZip payloads are gzip).
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        // Reading fiscal payloads (NF-e, CT-e, events) into domain values; no I/O.
        .target(name: "FiscalMixDFe", dependencies: uses("FiscalMixCore", "FiscalMixXML", "CZlib"), swiftSettings: swiftSettings),

        // Kernel — what every feature shares and nothing more.
        // The database: drivers, dialects, schema DSL, migration runner, transactions, rows, paging,
        // group commit. It holds no domain table.
        .target(
            name: "FiscalMixDatabase",
            dependencies: uses(
                "FiscalMixCore", "FiscalMixJSON", "AsyncKit", "Logging", "NIOCore", "NIOPosix", "NIOSSL", "PostgresKit",
                "PostgresNIO", "SQLKit", "SQLiteKit", "SQLiteNIO"),
            swiftSettings: swiftSettings),
        // Sealing and hashing primitives: envelopes, passwords, webhook signatures.
        .target(
            name: "FiscalMixSecrets", dependencies: uses("FiscalMixCore", "Crypto", "HummingbirdBcrypt", "NIOPosix"),
            swiftSettings: swiftSettings),
        // The one outbound HTTP client: policies, SSRF guard, request log entries. The only target
        // that imports AsyncHTTPClient.
        .target(
            name: "FiscalMixOutbound",
            dependencies: uses("FiscalMixCore", "AsyncHTTPClient", "NIOCore", "NIOHTTP1", "NIOPosix", "NIOSSL"),
            swiftSettings: swiftSettings),
        // Migrations 1–14, the frozen baseline every existing installation has; later steps live
        // in the slice that owns their tables.
        .target(name: "FiscalMixSchemaBaseline", dependencies: uses("FiscalMixCore", "FiscalMixDatabase"), swiftSettings: swiftSettings),

        // Feature slices — each owns its tables, their SQL and its migrations.
        // Event log: operational events worth keeping (a job went dead, a sync failed), written by
        // any slice in its own transaction.
        .target(name: "FiscalMixEventLog", dependencies: uses("FiscalMixCore", "FiscalMixDatabase", "SQLKit"), swiftSettings: swiftSettings),
        // Jobs: the queue, workers, the scheduler (jobs, job_runs, schedules).
        .target(
            name: "FiscalMixJobs",
            dependencies: uses(
                "FiscalMixCore", "FiscalMixDatabase", "FiscalMixEventLog", "CoreMetrics", "Logging", "PostgresNIO", "SQLKit",
                "ServiceLifecycle"),
            swiftSettings: swiftSettings),
        // Vault: sealed secrets and connector tokens, key rotation.
        .target(
            name: "FiscalMixVault", dependencies: uses("FiscalMixCore", "FiscalMixDatabase", "FiscalMixSecrets", "SQLKit"),
            swiftSettings: swiftSettings),
        // Identity: accounts, users, invites, sessions, MFA, API keys, companies and roles, audit
        // and request logs.
        .target(
            name: "FiscalMixIdentity",
            dependencies: uses("FiscalMixCore", "FiscalMixDatabase", "FiscalMixSecrets", "FiscalMixVault", "Logging", "SQLKit"),
            swiftSettings: swiftSettings),
        // Connectors: connectors with their credentials, policies and their buckets, outbound settings.
        .target(
            name: "FiscalMixConnectors",
            dependencies: uses("FiscalMixCore", "FiscalMixDatabase", "FiscalMixIdentity", "FiscalMixOutbound", "FiscalMixVault", "SQLKit"),
            swiftSettings: swiftSettings),
        // Webhooks: the integration-event outbox (catalogue, mappings, event log, retention),
        // endpoints, signed deliveries as durable jobs, replays, the inbox.
        .target(
            name: "FiscalMixWebhooks",
            dependencies: uses(
                "FiscalMixCore", "FiscalMixDatabase", "FiscalMixConnectors", "FiscalMixIdentity", "FiscalMixJSON",
                "FiscalMixJSONSchema", "FiscalMixJobs", "FiscalMixOutbound", "FiscalMixSecrets", "FiscalMixTransforms",
                "FiscalMixVault", "Logging", "PostgresNIO", "SQLKit"),
            swiftSettings: swiftSettings),
        // Fiscal: A1 certificates, the SEFAZ distribution client, sync, documents, manifestação.
        .target(
            name: "FiscalMixFiscal",
            dependencies: uses(
                "FiscalMixCore", "FiscalMixDFe", "FiscalMixDatabase", "FiscalMixEventLog", "FiscalMixIdentity", "FiscalMixJSON",
                "FiscalMixJobs", "FiscalMixOutbound", "FiscalMixVault", "FiscalMixWebhooks", "FiscalMixXML", "Crypto", "Logging", "NIOSSL",
                "SQLKit", "SwiftASN1", "X509", "_CryptoExtras"),
            swiftSettings: swiftSettings),
        // Blobs: the local folder, S3-compatible stores (Signature V4) and Azure Blob Storage.
        .target(
            name: "FiscalMixBlobs", dependencies: uses("FiscalMixCore", "FiscalMixOutbound", "FiscalMixXML", "Crypto"),
            swiftSettings: swiftSettings),

        // HTTP edges — what the JSON API and the console share: request context, authentication,
        // CSRF/origin checks, problem documents, idempotency keys, request counters.
        .target(
            name: "FiscalMixHTTPEdge",
            dependencies: uses(
                "FiscalMixCore", "FiscalMixDatabase", "FiscalMixIdentity", "FiscalMixJSON", "FiscalMixSecrets", "HTTPTypes",
                "Hummingbird", "Logging", "NIOCore", "NIOFoundationCompat", "NIOHTTP1", "NIOHTTPTypes", "SQLKit", "ServiceLifecycle"),
            swiftSettings: swiftSettings),
        // The JSON API: controllers, the route catalogue, the OpenAPI document.
        .target(
            name: "FiscalMixAPI",
            dependencies: uses(
                "FiscalMixCore", "FiscalMixConnectors", "FiscalMixDFe", "FiscalMixDatabase", "FiscalMixFiscal",
                "FiscalMixHTTPEdge", "FiscalMixIdentity", "FiscalMixJSON", "FiscalMixJobs", "FiscalMixOutbound",
                "FiscalMixSecrets", "FiscalMixVault", "FiscalMixWebhooks", "HTTPTypes", "Hummingbird", "Logging", "NIOCore",
                "NIOFoundationCompat"),
            resources: [.copy("Resources/openapi.yaml")],
            swiftSettings: swiftSettings),

        // The composition root: configuration, every service built once, the schema history.
        .target(
            name: "FiscalMixApp",
            dependencies: uses(
                "FiscalMixCore", "FiscalMixAPI", "FiscalMixBlobs", "FiscalMixConnectors", "FiscalMixDatabase", "FiscalMixFiscal",
                "FiscalMixHTTPEdge", "FiscalMixIdentity", "FiscalMixJSON", "FiscalMixJobs", "FiscalMixOutbound",
                "FiscalMixSchemaBaseline", "FiscalMixSecrets", "FiscalMixVault", "FiscalMixWebhooks", "Configuration",
                "CoreMetrics", "Hummingbird", "Logging", "Prometheus", "ServiceLifecycle", "SystemPackage", "UnixSignals"),
            swiftSettings: swiftSettings),

        // A stand-in for the SEFAZ web services, shipped in the binary (`fiscalmix sefaz-sim`):
        // the peer, its test CA, e-CNPJ minting, the PKCS#12 writer. No dependency on the App.
        .target(
            name: "FiscalMixSefazPeer",
            dependencies: uses(
                "FiscalMixCore", "FiscalMixDFe", "FiscalMixFiscal", "FiscalMixXML", "Crypto", "Hummingbird", "HummingbirdTLS",
                "Logging", "NIOCore", "NIOSSL", "ServiceLifecycle", "SwiftASN1", "X509", "_CryptoExtras"),
            swiftSettings: swiftSettings),

        // The command line.
        .executableTarget(
            name: "fiscalmix",
            dependencies: uses(
                "FiscalMixAPI", "FiscalMixApp", "FiscalMixCore", "FiscalMixDFe", "FiscalMixDatabase", "FiscalMixFiscal",
                "FiscalMixIdentity", "FiscalMixSecrets", "FiscalMixSefazPeer", "FiscalMixVault", "ArgumentParser",
                "Hummingbird", "Logging", "ServiceLifecycle", "UnixSignals"),
            swiftSettings: swiftSettings),

        // Benchmarks (not tests): run in release mode, see Benchmarks/.
        .executableTarget(
            name: "fiscalmix-outbound-bench",
            dependencies: uses(
                "FiscalMixCore", "FiscalMixOutbound", "FiscalMixSecrets", "FiscalMixTestSupport", "AsyncHTTPClient",
                "Crypto", "NIOCore"),
            path: "Benchmarks/OutboundBenchmark", swiftSettings: swiftSettings),
        .executableTarget(
            name: "fiscalmix-transforms-bench",
            dependencies: uses("FiscalMixJSON", "FiscalMixJMESPath", "FiscalMixJSONSchema", "FiscalMixJSONata", "FiscalMixConformance"),
            path: "Benchmarks/TransformsBenchmark", swiftSettings: swiftSettings),
        .executableTarget(
            name: "fiscalmix-jobs-bench",
            dependencies: uses(
                "FiscalMixCore", "FiscalMixDatabase", "FiscalMixJobs", "FiscalMixSchemaBaseline", "Logging", "SQLKit",
                "ServiceLifecycle"),
            path: "Benchmarks/JobsBenchmark", swiftSettings: swiftSettings),
        .executableTarget(
            name: "fiscalmix-dfe-bench",
            dependencies: uses(
                "FiscalMixAPI", "FiscalMixApp", "FiscalMixCore", "FiscalMixDFe", "FiscalMixDatabase", "FiscalMixFiscal",
                "FiscalMixIdentity", "FiscalMixJobs", "FiscalMixSefazPeer", "FiscalMixTestSupport", "Logging"),
            path: "Benchmarks/DFeBenchmark", swiftSettings: swiftSettings),
        .executableTarget(
            name: "fiscalmix-webhooks-bench",
            dependencies: uses(
                "FiscalMixAPI", "FiscalMixApp", "FiscalMixCore", "FiscalMixDatabase", "FiscalMixIdentity",
                "FiscalMixSecrets", "FiscalMixTestSupport", "FiscalMixWebhooks", "AsyncHTTPClient", "Logging",
                "NIOCore", "NIOHTTP1", "SQLKit", "ServiceLifecycle"),
            path: "Benchmarks/WebhooksBenchmark", swiftSettings: swiftSettings),

        // Test support — never linked into the product.
        .target(
            name: "FiscalMixTestSupport",
            dependencies: uses(
                "FiscalMixApp", "FiscalMixConformance", "FiscalMixCore", "FiscalMixDatabase", "FiscalMixOutbound", "FiscalMixSefazPeer",
                "FiscalMixXML", "Crypto", "HTTPTypes", "Hummingbird", "Logging", "NIOCore", "ServiceLifecycle"),
            swiftSettings: swiftSettings),
        // `.requires(.jsonata)`: a test that reads outside data skips, with a notice, where the
        // data is absent (fails under FISCALMIX_REQUIRE_TEST_DATA=1).
        .target(name: "FiscalMixTestTraits", dependencies: uses("FiscalMixConformance"), swiftSettings: swiftSettings),

        // Tests mirror targets; the end-to-end API tests live in FiscalMixAPITests.
        .testTarget(name: "FiscalMixCoreTests", dependencies: uses("FiscalMixCore"), swiftSettings: swiftSettings),
        .testTarget(name: "FiscalMixJSONTests", dependencies: uses("FiscalMixJSON"), swiftSettings: swiftSettings),
        .testTarget(name: "FiscalMixXMLTests", dependencies: uses("FiscalMixXML"), swiftSettings: swiftSettings),
        .testTarget(
            name: "FiscalMixJSONataTests",
            dependencies: uses("FiscalMixConformance", "FiscalMixJSON", "FiscalMixJSONata", "FiscalMixTestSupport", "FiscalMixTestTraits"),
            exclude: ["known-failures.txt"], swiftSettings: swiftSettings),
        .testTarget(
            name: "FiscalMixJMESPathTests",
            dependencies: uses("FiscalMixConformance", "FiscalMixJMESPath", "FiscalMixJSON", "FiscalMixTestTraits"),
            swiftSettings: swiftSettings),
        .testTarget(
            name: "FiscalMixJSONSchemaTests",
            dependencies: uses("FiscalMixConformance", "FiscalMixJSON", "FiscalMixJSONSchema", "FiscalMixTestTraits"),
            exclude: ["known-format-failures.txt"], swiftSettings: swiftSettings),
        .testTarget(
            name: "FiscalMixDFeTests",
            dependencies: uses(
                "FiscalMixConformance", "FiscalMixCore", "FiscalMixDFe", "FiscalMixTestSupport", "FiscalMixTestTraits",
                "FiscalMixXML", "Crypto"),
            swiftSettings: swiftSettings),
        .testTarget(
            name: "FiscalMixDatabaseTests",
            dependencies: uses(
                "FiscalMixApp", "FiscalMixCore", "FiscalMixDatabase", "FiscalMixSchemaBaseline", "FiscalMixTestSupport", "Logging", "PostgresNIO",
                "SQLKit"),
            swiftSettings: swiftSettings),
        .testTarget(
            name: "FiscalMixSecretsTests",
            dependencies: uses("FiscalMixCore", "FiscalMixSecrets", "FiscalMixTestSupport", "Crypto"),
            resources: [.copy("StandardWebhooksVectors")], swiftSettings: swiftSettings),
        .testTarget(
            name: "FiscalMixOutboundTests",
            dependencies: uses("FiscalMixCore", "FiscalMixDatabase", "FiscalMixOutbound", "FiscalMixTestSupport", "Logging"),
            swiftSettings: swiftSettings),
        .testTarget(
            name: "FiscalMixJobsTests",
            dependencies: uses(
                "FiscalMixApp", "FiscalMixCore", "FiscalMixDatabase", "FiscalMixEventLog", "FiscalMixJobs", "FiscalMixTestSupport",
                "Logging", "SQLKit", "ServiceLifecycle", "PostgresNIO"),
            swiftSettings: swiftSettings),
        .testTarget(
            name: "FiscalMixBlobsTests",
            dependencies: uses("FiscalMixBlobs", "FiscalMixCore", "FiscalMixOutbound", "FiscalMixTestSupport", "FiscalMixDatabase"),
            swiftSettings: swiftSettings),
        .testTarget(
            name: "FiscalMixAppTests",
            dependencies: uses(
                "FiscalMixApp", "FiscalMixBlobs", "FiscalMixConnectors", "FiscalMixCore", "FiscalMixFiscal", "FiscalMixHTTPEdge",
                "FiscalMixIdentity", "FiscalMixJobs", "FiscalMixSecrets", "FiscalMixWebhooks", "Logging"),
            swiftSettings: swiftSettings),
        .testTarget(
            name: "FiscalMixVaultTests",
            dependencies: uses(
                "FiscalMixApp", "FiscalMixCore", "FiscalMixDatabase", "FiscalMixSecrets", "FiscalMixTestSupport",
                "FiscalMixVault", "Logging", "SQLKit"),
            swiftSettings: swiftSettings),
        .testTarget(
            name: "FiscalMixConnectorsTests",
            dependencies: uses(
                "FiscalMixApp", "FiscalMixConnectors", "FiscalMixCore", "FiscalMixDatabase", "FiscalMixOutbound",
                "FiscalMixTestSupport", "Logging"),
            swiftSettings: swiftSettings),
        .testTarget(
            name: "FiscalMixIdentityTests",
            dependencies: uses(
                "FiscalMixApp", "FiscalMixCore", "FiscalMixDatabase", "FiscalMixIdentity", "FiscalMixTestSupport", "Logging", "SQLKit"),
            swiftSettings: swiftSettings),
        .testTarget(
            name: "FiscalMixWebhooksTests",
            dependencies: uses(
                "FiscalMixApp", "FiscalMixCore", "FiscalMixDatabase", "FiscalMixJobs", "FiscalMixTestSupport",
                "FiscalMixWebhooks", "Logging", "SQLKit", "PostgresNIO"),
            swiftSettings: swiftSettings),
        .testTarget(
            name: "FiscalMixFiscalTests",
            dependencies: uses(
                "FiscalMixBlobs", "FiscalMixConformance", "FiscalMixCore", "FiscalMixDFe", "FiscalMixDatabase", "FiscalMixFiscal",
                "FiscalMixOutbound", "FiscalMixSefazPeer", "FiscalMixTestSupport", "FiscalMixTestTraits", "FiscalMixXML",
                "Crypto", "NIOSSL", "_CryptoExtras"),
            swiftSettings: swiftSettings),
        .testTarget(
            name: "FiscalMixAPITests",
            dependencies: uses(
                "FiscalMixAPI", "FiscalMixApp", "FiscalMixBlobs", "FiscalMixConformance", "FiscalMixConnectors", "FiscalMixCore",
                "FiscalMixDFe", "FiscalMixDatabase", "FiscalMixFiscal", "FiscalMixHTTPEdge", "FiscalMixIdentity",
                "FiscalMixJobs", "FiscalMixOutbound", "FiscalMixSecrets", "FiscalMixSefazPeer", "FiscalMixTestSupport",
                "FiscalMixTestTraits", "FiscalMixVault", "FiscalMixWebhooks", "Crypto", "HTTPTypes", "Hummingbird",
                "HummingbirdTesting", "Logging", "NIOCore", "NIOFoundationCompat", "SQLKit", "ServiceLifecycle",
                "SwiftASN1", "_CryptoExtras"),
            swiftSettings: swiftSettings),
    ]
)

/// A target's dependencies by the names its files import: FiscalMix targets (and CZlib) by
/// name, every other module as the product of the package that ships it.
func uses(_ modules: String...) -> [Target.Dependency] {
    let packageOf = [
        "AsyncHTTPClient": "async-http-client", "AsyncKit": "async-kit", "ArgumentParser": "swift-argument-parser",
        "CoreMetrics": "swift-metrics", "Crypto": "swift-crypto", "_CryptoExtras": "swift-crypto", "HTTPTypes": "swift-http-types",
        "Hummingbird": "hummingbird", "HummingbirdTLS": "hummingbird", "HummingbirdTesting": "hummingbird",
        "HummingbirdBcrypt": "hummingbird-auth", "Logging": "swift-log", "Metrics": "swift-metrics", "NIOCore": "swift-nio",
        "NIOPosix": "swift-nio", "NIOHTTP1": "swift-nio", "NIOFoundationCompat": "swift-nio", "NIOHTTPTypes": "swift-nio-extras",
        "NIOSSL": "swift-nio-ssl", "PostgresKit": "postgres-kit", "PostgresNIO": "postgres-nio", "Prometheus": "swift-prometheus",
        "SQLKit": "sql-kit", "SQLiteKit": "sqlite-kit", "SQLiteNIO": "sqlite-nio", "ServiceLifecycle": "swift-service-lifecycle",
        "UnixSignals": "swift-service-lifecycle", "SwiftASN1": "swift-asn1", "X509": "swift-certificates",
        "Configuration": "swift-configuration", "SystemPackage": "swift-system",
    ]
    return modules.map { module in
        if let package = packageOf[module] { return .product(name: module, package: package) }
        return .target(name: module)
    }
}
