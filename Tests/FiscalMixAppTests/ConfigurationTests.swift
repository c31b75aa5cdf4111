import FiscalMixApp
import FiscalMixSecrets
import Foundation
import Logging
import Testing

@testable import FiscalMixBlobs

@Suite struct ConfigurationTests {
    let logger = Logger(label: "test")

    func tempDir() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("fiscalmix-config-\(UUID().uuidString)").path
    }

    @Test func defaultsAreTheEmbeddedOnes() throws {
        let configuration = try AppConfiguration(values: [:])
        #expect(configuration.databaseURL == "sqlite:./fiscalmix-data/fiscalmix.sqlite")
        #expect(configuration.blobDirectory == "./fiscalmix-data/blobs")
        #expect(configuration.host == "127.0.0.1" && configuration.port == 8080)
        #expect(configuration.usesEmbeddedDatabase)
        #expect(!configuration.secureCookies)
    }

    @Test func workerPassesAndClaimBatchAreReadAndBounded() throws {
        let defaults = try AppConfiguration(values: [:])
        #expect(defaults.workerClaimBatch == nil && defaults.workerPasses == 2)
        let set = try AppConfiguration(values: ["FISCALMIX_WORKER_CLAIM_BATCH": "100", "FISCALMIX_WORKER_PASSES": "4"])
        #expect(set.workerClaimBatch == 100 && set.workerPasses == 4)
        for (name, value) in [("FISCALMIX_WORKER_CLAIM_BATCH", "1001"), ("FISCALMIX_WORKER_PASSES", "0"), ("FISCALMIX_WORKER_PASSES", "9")] {
            #expect { try AppConfiguration(values: [name: value]) } throws: { String(describing: $0).contains(name) }
        }
    }

    @Test func aMalformedMasterKeyIsRefusedWithAClearMessage() throws {
        for bad in ["not base64!", Data(count: 16).base64EncodedString(), Data(count: 33).base64EncodedString()] {
            let configuration = try AppConfiguration(values: ["FISCALMIX_MASTER_KEY": bad, "FISCALMIX_DATA_DIR": tempDir()])
            #expect {
                try MasterKeyLoader.load(configuration, logger: logger)
            } throws: { error in
                let text = String(describing: error)
                return text.contains("FISCALMIX_MASTER_KEY") && text.contains("32 bytes") || text.contains("base64")
            }
        }
    }

    @Test func theEmbeddedDefaultGeneratesAPrivateKeyFileOnceAndReusesIt() throws {
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let configuration = try AppConfiguration(values: ["FISCALMIX_DATA_DIR": dir])
        let first = try MasterKeyLoader.load(configuration, logger: logger)
        let path = dir + "/master.key"
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let second = try MasterKeyLoader.load(configuration, logger: logger)
        #expect(first.keyId == second.keyId)
    }

    @Test func postgresWithoutAMasterKeyIsRefused() throws {
        let configuration = try AppConfiguration(values: ["FISCALMIX_DATABASE_URL": "postgres://u@127.0.0.1:1/db", "FISCALMIX_DATA_DIR": tempDir()])
        #expect(throws: MasterKeyLoader.Refusal.self) { try MasterKeyLoader.load(configuration, logger: logger) }
    }

    @Test func aConfigFileIsReadAndTheEnvironmentWins() async throws {
        let dir = tempDir()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/fiscalmix.env"
        try """
        # production settings
        FISCALMIX_PORT=9090
        FISCALMIX_HOST = "0.0.0.0"
        FISCALMIX_PUBLIC_URL=https://fiscal.example.com
        """.write(toFile: file, atomically: true, encoding: .utf8)
        let configuration = try await AppConfiguration.load(environment: ["FISCALMIX_CONFIG_FILE": file, "FISCALMIX_PORT": "9191"])
        #expect(configuration.port == 9191)
        #expect(configuration.host == "0.0.0.0")
        #expect(configuration.secureCookies)
    }

    @Test func anS3BlobStoreIsConfiguredCheckedAndKeepsItsSecret() throws {
        let secret = "s3-secret-\(UUID().uuidString)"
        let aws = try AppConfiguration(values: [
            "FISCALMIX_BLOB_STORE": "s3", "FISCALMIX_S3_BUCKET": "fiscal", "FISCALMIX_S3_REGION": "sa-east-1",
            "FISCALMIX_S3_ACCESS_KEY_ID": "AKIA1", "FISCALMIX_S3_SECRET_ACCESS_KEY": secret,
        ])
        let s3 = try #require(aws.s3)
        #expect(s3.endpoint.absoluteString == "https://s3.sa-east-1.amazonaws.com" && !s3.pathStyle && s3.prefix.isEmpty)
        // The secret never shows when the settings are printed or dumped.
        var dumped = ""
        dump(s3, to: &dumped)
        #expect(!"\(s3)".contains(secret) && !String(reflecting: s3).contains(secret) && !dumped.contains(secret))
        let minio = try AppConfiguration(values: [
            "FISCALMIX_BLOB_STORE": "s3", "FISCALMIX_S3_BUCKET": "b", "FISCALMIX_S3_ENDPOINT": "http://10.0.0.5:9000",
            "FISCALMIX_S3_ACCESS_KEY_ID": "k", "FISCALMIX_S3_SECRET_ACCESS_KEY": "s", "FISCALMIX_S3_PREFIX": "fm/",
        ])
        #expect(minio.s3?.pathStyle == true && minio.s3?.prefix == "fm/")
        #expect(try AppConfiguration(values: [:]).s3 == nil)
        for bad in [
            ["FISCALMIX_BLOB_STORE": "ftp"], ["FISCALMIX_BLOB_STORE": "s3", "FISCALMIX_S3_BUCKET": "b"],
            [
                "FISCALMIX_BLOB_STORE": "s3", "FISCALMIX_S3_BUCKET": "b", "FISCALMIX_S3_ACCESS_KEY_ID": "k", "FISCALMIX_S3_SECRET_ACCESS_KEY": secret,
                "FISCALMIX_S3_ENDPOINT": "http://user:pw@minio:9000",
            ],
            [
                "FISCALMIX_BLOB_STORE": "s3", "FISCALMIX_S3_BUCKET": "b", "FISCALMIX_S3_ACCESS_KEY_ID": "k", "FISCALMIX_S3_SECRET_ACCESS_KEY": secret,
                "FISCALMIX_S3_PREFIX": "../x/",
            ],
        ] {
            #expect { try AppConfiguration(values: bad) } throws: { error in
                let text = "\(error)"
                return (text.contains("FISCALMIX_BLOB_STORE") || text.contains("FISCALMIX_S3_")) && !text.contains(secret)
            }
        }
    }

    @Test func anAzureContainerIsConfiguredWithAKeyOrASAS() throws {
        let key = Data(repeating: 9, count: 64).base64EncodedString(), sas = "sv=2021-08-06&sig=secret-\(UUID().uuidString)"
        let keyed = try AppConfiguration(values: [
            "FISCALMIX_BLOB_STORE": "azure", "FISCALMIX_AZURE_ACCOUNT": "acme", "FISCALMIX_AZURE_CONTAINER": "fiscal",
            "FISCALMIX_AZURE_ACCOUNT_KEY": key,
        ])
        #expect(keyed.azure?.endpoint.absoluteString == "https://acme.blob.core.windows.net" && keyed.s3 == nil)
        let shared = try AppConfiguration(values: [
            "FISCALMIX_BLOB_STORE": "azure", "FISCALMIX_AZURE_ACCOUNT": "acme", "FISCALMIX_AZURE_CONTAINER": "fiscal",
            "FISCALMIX_AZURE_SAS_TOKEN": sas, "FISCALMIX_AZURE_ENDPOINT": "http://127.0.0.1:10000/acme",
        ])
        for configured in [keyed.azure!, shared.azure!] {
            var dumped = ""
            dump(configured, to: &dumped)
            #expect(!dumped.contains(key) && !dumped.contains("secret-") && !"\(configured)".contains(key) && !"\(configured)".contains("secret-"))
        }
        for bad in [
            ["FISCALMIX_AZURE_ACCOUNT": "acme"],
            ["FISCALMIX_AZURE_ACCOUNT": "acme", "FISCALMIX_AZURE_CONTAINER": "c"],
            [
                "FISCALMIX_AZURE_ACCOUNT": "acme", "FISCALMIX_AZURE_CONTAINER": "c", "FISCALMIX_AZURE_ACCOUNT_KEY": key,
                "FISCALMIX_AZURE_SAS_TOKEN": sas,
            ],
            ["FISCALMIX_AZURE_ACCOUNT": "acme", "FISCALMIX_AZURE_CONTAINER": "c", "FISCALMIX_AZURE_ACCOUNT_KEY": "not base64!"],
        ] {
            #expect { try AppConfiguration(values: bad.merging(["FISCALMIX_BLOB_STORE": "azure"]) { a, _ in a }) } throws: { error in
                "\(error)".contains("FISCALMIX_AZURE_") && !"\(error)".contains("secret-")
            }
        }
    }

    @Test func invalidValuesNameTheirVariable() {
        #expect { try AppConfiguration(values: ["FISCALMIX_PORT": "eighty"]) } throws: { "\($0)".contains("FISCALMIX_PORT") }
        #expect { try AppConfiguration(values: ["FISCALMIX_BCRYPT_COST": "10"]) } throws: { "\($0)".contains("FISCALMIX_BCRYPT_COST") }
        #expect { try AppConfiguration(values: ["FISCALMIX_LOG_LEVEL": "loud"]) } throws: { "\($0)".contains("FISCALMIX_LOG_LEVEL") }
    }

    @Test func theReportListsWhatIsSetWithSecretsRedacted() async throws {
        let dir = tempDir()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/fiscalmix.env"
        let key = Data(repeating: 7, count: 32).base64EncodedString()
        try "FISCALMIX_MASTER_KEY=\(key)\nFISCALMIX_WORKER_CONCURRENCY=8\n".write(toFile: file, atomically: true, encoding: .utf8)
        let environment = [
            "FISCALMIX_CONFIG_FILE": file, "FISCALMIX_DATA_DIR": dir,
            "FISCALMIX_DATABASE_URL": "postgres://fiscal:hunter2-password@db.internal:5432/fiscalmix",
            "FISCALMIX_METRICS_TOKEN": "metrics-token-secret", "HOME": "/root",
        ]
        let report = try await ConfigurationReport.load(environment: environment)
        #expect(report.lines.contains(.init(name: "FISCALMIX_WORKER_CONCURRENCY", value: "8", source: "file")))
        #expect(report.lines.contains(.init(name: "FISCALMIX_DATA_DIR", value: dir, source: "environment")))
        #expect(report.lines.contains(.init(name: "FISCALMIX_MASTER_KEY", value: "<redacted>", source: "file")))
        #expect(report.lines.contains(.init(name: "FISCALMIX_DATABASE_URL", value: "<redacted>", source: "environment")))
        for secret in [key, "hunter2-password", "metrics-token-secret"] { #expect(!report.text.contains(secret)) }
        #expect(!report.text.contains("HOME"))
    }

    @Test func aMissingConfigFileIsNamed() async {
        await #expect { try await AppConfiguration.load(environment: ["FISCALMIX_CONFIG_FILE": "/nonexistent/fiscalmix.env"]) } throws: {
            "\($0)".contains("Cannot read FISCALMIX_CONFIG_FILE at /nonexistent/fiscalmix.env")
        }
    }
}
