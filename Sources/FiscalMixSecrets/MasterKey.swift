public import Crypto
import FiscalMixCore
import Foundation

/// The deployment's key-encryption key: base64 of exactly 32 bytes (docs/data-model.md's rule for
/// `METRICS_SECRET_KEY`). Its bytes never leave this type except as a `SymmetricKey`.
public struct MasterKey: Sendable {
    public let key: SymmetricKey
    /// A short, non-secret identifier (first 8 hex chars of SHA-256 of the key) so rows can
    /// record which key sealed them and rotation can find what is left to re-wrap.
    public let keyId: String

    public enum ParseError: Error, CustomStringConvertible, Equatable {
        case notBase64
        case wrongLength(Int)

        public var description: String {
            switch self {
            case .notBase64:
                return "FISCALMIX_MASTER_KEY is not valid base64. Generate one with: openssl rand -base64 32"
            case .wrongLength(let n):
                return
                    "FISCALMIX_MASTER_KEY must decode to exactly 32 bytes (AES-256); it decodes to \(n). Generate one with: openssl rand -base64 32"
            }
        }
    }

    public init(base64: String) throws(ParseError) {
        guard let data = Data(base64Encoded: base64.trimmingWhitespace()) else { throw .notBase64 }
        guard data.count == 32 else { throw .wrongLength(data.count) }
        self.init(bytes: data)
    }

    init(bytes: Data) {
        key = SymmetricKey(data: bytes)
        let digest = SHA256.hash(data: bytes)
        keyId = Hex.encode(digest.prefix(4))
    }

    /// A fresh random key, returned with its base64 text so the caller can persist it.
    public static func generate() -> (key: MasterKey, base64: String) {
        let key = SymmetricKey(size: .bits256)
        let data = key.withUnsafeBytes { Data($0) }
        return (MasterKey(bytes: data), data.base64EncodedString())
    }
}
