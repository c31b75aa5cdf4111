import FiscalMixHTTPEdge
public import FiscalMixSecrets
import Foundation
public import Logging

/// Finds the master key: `FISCALMIX_MASTER_KEY` when set (and it must be valid); otherwise, on
/// the embedded default only, `<data dir>/master.key`, created with mode 0600 on first start.
/// A PostgreSQL deployment without a key is refused: its data outlives any one machine's disk.
public enum MasterKeyLoader {
    public struct Refusal: Error, CustomStringConvertible {
        public let description: String
    }

    /// `FISCALMIX_PREVIOUS_MASTER_KEYS`, each held to the same rule as the master key.
    public static func previous(_ configuration: AppConfiguration) throws -> [MasterKey] {
        try configuration.previousMasterKeysBase64.enumerated().map { index, base64 in
            do throws(MasterKey.ParseError) {
                return try MasterKey(base64: base64)
            } catch {
                throw Refusal(
                    description: "FISCALMIX_PREVIOUS_MASTER_KEYS entry \(index + 1): "
                        + error.description
                        .replacingOccurrences(of: "FISCALMIX_MASTER_KEY", with: "a master key"))
            }
        }
    }

    public static func load(_ configuration: AppConfiguration, logger: Logger) throws -> MasterKey {
        if let base64 = configuration.masterKeyBase64 {
            do {
                return try MasterKey(base64: base64)
            } catch {
                throw Refusal(description: error.description)
            }
        }
        guard configuration.usesEmbeddedDatabase else {
            throw Refusal(description: "FISCALMIX_MASTER_KEY is required with PostgreSQL. Generate one with: openssl rand -base64 32")
        }
        let path = URL(fileURLWithPath: configuration.dataDirectory).appendingPathComponent("master.key").path
        if FileManager.default.fileExists(atPath: path) {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw Refusal(description: "Cannot read \(path).")
            }
            do {
                return try MasterKey(base64: text)
            } catch {
                throw Refusal(description: "\(path): \(error.description)")
            }
        }
        try FileManager.default.createDirectory(atPath: configuration.dataDirectory, withIntermediateDirectories: true)
        let (key, base64) = MasterKey.generate()
        guard FileManager.default.createFile(atPath: path, contents: Data((base64 + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
            throw Refusal(description: "Cannot write \(path).")
        }
        logger.warning(
            """
            generated a master key at \(path) for the embedded default. Production must set FISCALMIX_MASTER_KEY \
            (and back it up): without it, sealed secrets cannot be opened.
            """)
        return key
    }
}
