import FiscalMixApp
import FiscalMixSecrets
import Foundation
import Logging
import Testing

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

    @Test func aConfigFileIsReadAndTheEnvironmentWins() throws {
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
        let configuration = try AppConfiguration.load(environment: ["FISCALMIX_CONFIG_FILE": file, "FISCALMIX_PORT": "9191"])
        #expect(configuration.port == 9191)
        #expect(configuration.host == "0.0.0.0")
        #expect(configuration.secureCookies)
    }

    @Test func invalidValuesNameTheirVariable() {
        #expect { try AppConfiguration(values: ["FISCALMIX_PORT": "eighty"]) } throws: { "\($0)".contains("FISCALMIX_PORT") }
        #expect { try AppConfiguration(values: ["FISCALMIX_BCRYPT_COST": "10"]) } throws: { "\($0)".contains("FISCALMIX_BCRYPT_COST") }
        #expect { try AppConfiguration(values: ["FISCALMIX_LOG_LEVEL": "loud"]) } throws: { "\($0)".contains("FISCALMIX_LOG_LEVEL") }
    }
}
