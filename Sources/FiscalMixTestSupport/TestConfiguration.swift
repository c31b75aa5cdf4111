public import FiscalMixApp
import Foundation

/// Configuration for an in-process server on a test database: a fixed master key, a private
/// data directory, and the minimum bcrypt cost.
public func testConfiguration(database: TestDatabase, masterKey: String = TestKeys.masterKey) throws -> AppConfiguration {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fiscalmix-data-\(UUID().uuidString)").path
    return try AppConfiguration(values: [
        "FISCALMIX_DATA_DIR": dir,
        "FISCALMIX_DATABASE_URL": database.url,
        "FISCALMIX_MASTER_KEY": masterKey,
        "FISCALMIX_HOST": "127.0.0.1",
        "FISCALMIX_PORT": "0",
        "FISCALMIX_LOG_LEVEL": "trace",
    ])
}

public enum TestKeys {
    /// 32 bytes of 0x01..0x20, base64: a test-only key.
    public static let masterKey = Data((1...32).map { UInt8($0) }).base64EncodedString()
}
