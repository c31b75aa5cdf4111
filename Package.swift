// swift-tools-version:6.1
// FiscalMix: fiscal-document hub and integration platform.
// Targets follow ../shared/ARCHITECTURE.md: dependencies point down only.
//   L5 fiscalmix (CLI) → L4 FiscalMixApp → L3 FiscalMixAPI → L2 FiscalMixIdentity
//   → L1 FiscalMixStorage, FiscalMixSecrets → L0 FiscalMixCore
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
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
    ],
    targets: [
        // L0 — domain types, ids, errors, ports. No I/O, no frameworks.
        .target(name: "FiscalMixCore", swiftSettings: swiftSettings),

        // L0 — pure engines: the JSON value and the transform languages (standard library and
        // Foundation only, no I/O).
        .target(name: "FiscalMixJSON", swiftSettings: swiftSettings),
        .target(name: "FiscalMixJMESPath", dependencies: ["FiscalMixJSON"], swiftSettings: swiftSettings),
        .target(name: "FiscalMixJSONSchema", dependencies: ["FiscalMixJSON"], swiftSettings: engineSettings),
        .target(name: "FiscalMixJSONata", dependencies: ["FiscalMixJSON"], swiftSettings: engineSettings),
        // The conformance suites' runners (../shared/conformance), shared by the engines' test
        // targets and the release-build check in fiscalmix-transforms-bench.
        .target(name: "FiscalMixConformance", dependencies: ["FiscalMixJSON", "FiscalMixJSONSchema", "FiscalMixJSONata"],
                swiftSettings: swiftSettings),
        // Tests only — `.requires(.jsonata)`: a test that reads outside data skips, with a notice,
        // where the data is absent (fails under FISCALMIX_REQUIRE_TEST_DATA=1).
        .target(name: "FiscalMixTestTraits", dependencies: ["FiscalMixConformance"], swiftSettings: swiftSettings),
        // L0 — the XML reader and canonicalizer the fiscal documents and their signatures need.
        .target(name: "FiscalMixXML", swiftSettings: swiftSettings),
        // L1 — zlib from Debian (docZip payloads are gzip).
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        // L1 — reading fiscal payloads (NF-e, CT-e, events) into domain values; no I/O.
        .target(name: "FiscalMixDFe", dependencies: ["FiscalMixCore", "FiscalMixXML", "CZlib"], swiftSettings: swiftSettings),

        // L1 — infrastructure.
        .target(
            name: "FiscalMixSecrets",
            dependencies: [
                "FiscalMixCore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // L1 — the one outbound HTTP client: policies, SSRF guard, request log entries. The only
        // target that imports AsyncHTTPClient.
        .target(
            name: "FiscalMixOutbound",
            dependencies: [
                "FiscalMixCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: swiftSettings
        ),
        // L1 — blob stores beyond the local folder: S3-compatible (Signature V4 over the outbound
        // client).
        .target(
            name: "FiscalMixBlobs",
            dependencies: [
                "FiscalMixCore", "FiscalMixOutbound", "FiscalMixXML",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "FiscalMixStorage",
            dependencies: [
                "FiscalMixCore",
                "FiscalMixJSON",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                .product(name: "PostgresKit", package: "postgres-kit"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        .target(
            name: "FiscalMixJobs",
            dependencies: [
                "FiscalMixCore", "FiscalMixStorage",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),

        // L2 — features.
        .target(
            name: "FiscalMixConnectors",
            dependencies: [
                "FiscalMixOutbound", "FiscalMixCore", "FiscalMixStorage", "FiscalMixSecrets", "FiscalMixVault", "FiscalMixIdentity",
            ],
            swiftSettings: swiftSettings
        ),
        // L2 — the fiscal-document hub: A1 certificates, the SEFAZ distribution client, sync, manifestação.
        .target(
            name: "FiscalMixFiscal",
            dependencies: [
                "FiscalMixCore", "FiscalMixDFe", "FiscalMixXML", "FiscalMixStorage", "FiscalMixSecrets", "FiscalMixVault",
                "FiscalMixOutbound", "FiscalMixJobs", "FiscalMixIdentity",
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // L2 — the transform engines as a server uses them: one compiled transform per DSL
        // profile, bounded (event mappings now, pipelines later).
        .target(
            name: "FiscalMixTransforms",
            dependencies: ["FiscalMixJSON", "FiscalMixJMESPath", "FiscalMixJSONata"],
            swiftSettings: swiftSettings
        ),
        // L2 — integration events and webhooks: the event catalogue and ingest, endpoints with
        // their sealed secrets, signed deliveries as durable jobs, replays.
        .target(
            name: "FiscalMixWebhooks",
            dependencies: [
                "FiscalMixCore", "FiscalMixStorage", "FiscalMixSecrets", "FiscalMixVault", "FiscalMixOutbound", "FiscalMixJobs",
                "FiscalMixIdentity", "FiscalMixJSON", "FiscalMixJSONSchema", "FiscalMixTransforms",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "FiscalMixVault",
            dependencies: ["FiscalMixCore", "FiscalMixStorage", "FiscalMixSecrets"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "FiscalMixIdentity",
            dependencies: [
                "FiscalMixCore", "FiscalMixStorage", "FiscalMixSecrets", "FiscalMixVault",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        // L3 — HTTP API.
        .target(
            name: "FiscalMixAPI",
            dependencies: [
                "FiscalMixCore", "FiscalMixStorage", "FiscalMixSecrets", "FiscalMixIdentity", "FiscalMixJobs", "FiscalMixJSON",
                "FiscalMixConnectors", "FiscalMixOutbound", "FiscalMixFiscal", "FiscalMixDFe", "FiscalMixWebhooks",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
            ],
            resources: [.copy("Resources/openapi.yaml")],
            swiftSettings: swiftSettings
        ),

        // L4 — composition root.
        .target(
            name: "FiscalMixApp",
            dependencies: [
                "FiscalMixCore", "FiscalMixStorage", "FiscalMixSecrets", "FiscalMixIdentity", "FiscalMixAPI", "FiscalMixJobs", "FiscalMixJSON",
                "FiscalMixVault", "FiscalMixConnectors", "FiscalMixOutbound", "FiscalMixFiscal", "FiscalMixWebhooks", "FiscalMixBlobs",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),

        // L5 — command line.
        .executableTarget(
            name: "fiscalmix",
            dependencies: [
                "FiscalMixApp", "FiscalMixAPI", "FiscalMixCore", "FiscalMixStorage", "FiscalMixIdentity", "FiscalMixSecrets", "FiscalMixJobs",
                "FiscalMixVault", "FiscalMixDFe", "FiscalMixTestSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        // Benchmarks (not tests): run in release mode, see Benchmarks/.
        .executableTarget(
            name: "fiscalmix-outbound-bench",
            dependencies: [
                "FiscalMixCore", "FiscalMixOutbound", "FiscalMixSecrets", "FiscalMixTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Benchmarks/OutboundBenchmark",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "fiscalmix-transforms-bench",
            dependencies: ["FiscalMixJSON", "FiscalMixJMESPath", "FiscalMixJSONSchema", "FiscalMixJSONata", "FiscalMixConformance"],
            path: "Benchmarks/TransformsBenchmark",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "fiscalmix-jobs-bench",
            dependencies: [
                "FiscalMixCore", "FiscalMixStorage", "FiscalMixJobs",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Benchmarks/JobsBenchmark",
            swiftSettings: swiftSettings
        ),

        .executableTarget(
            name: "fiscalmix-dfe-bench",
            dependencies: [
                "FiscalMixAPI", "FiscalMixApp", "FiscalMixCore", "FiscalMixDFe", "FiscalMixFiscal", "FiscalMixIdentity", "FiscalMixJobs", "FiscalMixStorage",
                "FiscalMixTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/DFeBenchmark",
            swiftSettings: swiftSettings
        ),

        .executableTarget(
            name: "fiscalmix-webhooks-bench",
            dependencies: [
                "FiscalMixAPI", "FiscalMixApp", "FiscalMixCore", "FiscalMixIdentity", "FiscalMixSecrets", "FiscalMixStorage", "FiscalMixTestSupport",
                "FiscalMixWebhooks",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "SQLKit", package: "sql-kit"),
            ],
            path: "Benchmarks/WebhooksBenchmark",
            swiftSettings: swiftSettings
        ),

        // Shared by tests and dev sub-commands.
        .target(
            name: "FiscalMixTestSupport",
            dependencies: [
                "FiscalMixApp", "FiscalMixCore", "FiscalMixStorage", "FiscalMixSecrets", "FiscalMixIdentity",
                "FiscalMixDFe", "FiscalMixXML", "FiscalMixFiscal", "FiscalMixConformance",
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),

        .testTarget(
            name: "FiscalMixJobsTests",
            dependencies: [
                "FiscalMixJobs", "FiscalMixStorage", "FiscalMixCore", "FiscalMixTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "SQLKit", package: "sql-kit"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FiscalMixOutboundTests",
            dependencies: [
                "FiscalMixOutbound", "FiscalMixCore", "FiscalMixStorage", "FiscalMixTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "FiscalMixJSONTests", dependencies: ["FiscalMixJSON"], swiftSettings: swiftSettings),
        .testTarget(name: "FiscalMixDFeTests", dependencies: ["FiscalMixDFe", "FiscalMixXML", "FiscalMixCore", "FiscalMixTestSupport", "FiscalMixTestTraits", "FiscalMixConformance",
                                                              .product(name: "Crypto", package: "swift-crypto")],
                    swiftSettings: swiftSettings),
        .testTarget(name: "FiscalMixFiscalTests", dependencies: [
            "FiscalMixFiscal", "FiscalMixDFe", "FiscalMixCore", "FiscalMixOutbound", "FiscalMixTestSupport", "FiscalMixStorage", "FiscalMixTestTraits", "FiscalMixConformance",
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "_CryptoExtras", package: "swift-crypto"),
        ], swiftSettings: swiftSettings),
        .testTarget(name: "FiscalMixXMLTests", dependencies: ["FiscalMixXML"],
                    swiftSettings: swiftSettings),
        .testTarget(name: "FiscalMixJSONataTests", dependencies: ["FiscalMixJSONata", "FiscalMixJSON", "FiscalMixConformance", "FiscalMixTestSupport",
                                                                  "FiscalMixTestTraits"],
                    exclude: ["known-failures.txt"], swiftSettings: swiftSettings),
        .testTarget(name: "FiscalMixJMESPathTests", dependencies: ["FiscalMixJMESPath", "FiscalMixJSON", "FiscalMixConformance", "FiscalMixTestTraits"],
                    swiftSettings: swiftSettings),
        .testTarget(name: "FiscalMixJSONSchemaTests", dependencies: ["FiscalMixJSONSchema", "FiscalMixJSON", "FiscalMixConformance", "FiscalMixTestTraits"],
                    exclude: ["known-format-failures.txt"], swiftSettings: swiftSettings),
        .testTarget(
            name: "FiscalMixCoreTests",
            dependencies: ["FiscalMixCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FiscalMixSecretsTests",
            dependencies: ["FiscalMixSecrets", "FiscalMixCore", "FiscalMixTestSupport"],
            resources: [.copy("StandardWebhooksVectors")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FiscalMixBlobsTests",
            dependencies: ["FiscalMixBlobs", "FiscalMixOutbound", "FiscalMixCore", "FiscalMixTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FiscalMixStorageTests",
            dependencies: [
                "FiscalMixStorage", "FiscalMixCore", "FiscalMixTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FiscalMixAPITests",
            dependencies: [
                "FiscalMixApp", "FiscalMixAPI", "FiscalMixCore", "FiscalMixStorage", "FiscalMixSecrets",
                "FiscalMixIdentity", "FiscalMixTestSupport", "FiscalMixJobs", "FiscalMixVault", "FiscalMixFiscal", "FiscalMixBlobs", "FiscalMixOutbound", "FiscalMixTestTraits", "FiscalMixConformance",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
