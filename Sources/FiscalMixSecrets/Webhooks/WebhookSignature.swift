public import Crypto
public import Foundation

/// Signing and verifying webhooks per the Standard Webhooks specification: the signed content is
/// `{webhook-id}.{webhook-timestamp}.{body}`; `v1` is HMAC-SHA256 with a `whsec_` secret, `v1a`
/// Ed25519 with a `whsk_` signing key (receivers hold the `whpk_` public key). The
/// `webhook-signature` header carries one or more `scheme,base64` pairs separated by spaces, so
/// a rotated secret can be sent beside the new one.
public enum WebhookSignature {
    public enum Key: Sendable {
        /// HMAC-SHA256 secret bytes.
        case symmetric([UInt8])
        /// Ed25519 signing key.
        case signing(Curve25519.Signing.PrivateKey)
        /// Ed25519 public key (verification only).
        case verifying(Curve25519.Signing.PublicKey)
    }

    public struct InvalidKey: Error, CustomStringConvertible {
        public let description: String
    }

    /// Reads `whsec_…` (or bare base64), `whsk_…` and `whpk_…`. Base64 may be unpadded, as the
    /// reference libraries accept.
    public static func key(_ text: String) throws(InvalidKey) -> Key {
        func bytes(_ encoded: Substring) throws(InvalidKey) -> [UInt8] {
            var padded = String(encoded)
            while padded.count % 4 != 0 { padded += "=" }
            guard let data = Data(base64Encoded: padded), !data.isEmpty else { throw InvalidKey(description: "the key is not base64") }
            return Array(data)
        }
        if text.hasPrefix("whsk_") {
            // 32-byte seed, or libsodium's 64-byte seed‖public key.
            let raw = try bytes(text.dropFirst(5))
            guard raw.count == 32 || raw.count == 64, let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw.prefix(32)) else {
                throw InvalidKey(description: "a whsk_ key holds a 32- or 64-byte Ed25519 key")
            }
            return .signing(key)
        }
        if text.hasPrefix("whpk_") {
            guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: try bytes(text.dropFirst(5))) else {
                throw InvalidKey(description: "a whpk_ key holds a 32-byte Ed25519 public key")
            }
            return .verifying(key)
        }
        return .symmetric(try bytes(text.hasPrefix("whsec_") ? text.dropFirst(6) : Substring(text)))
    }

    static func content(id: String, timestamp: Int64, body: some Collection<UInt8>) -> [UInt8] {
        Array("\(id).\(timestamp).".utf8) + body
    }

    /// `v1,…` or `v1a,…` for one key.
    public static func sign(id: String, timestamp: Int64, body: some Collection<UInt8>, key: Key) throws -> String {
        let content = content(id: id, timestamp: timestamp, body: body)
        switch key {
        case .symmetric(let secret):
            return "v1," + Data(HMAC<SHA256>.authenticationCode(for: content, using: SymmetricKey(data: secret))).base64EncodedString()
        case .signing(let privateKey):
            return "v1a," + (try privateKey.signature(for: content)).base64EncodedString()
        case .verifying:
            throw InvalidKey(description: "a public key cannot sign")
        }
    }

    /// The `webhook-signature` header for every key (the current one and, during a rotation, the previous).
    public static func header(id: String, timestamp: Int64, body: some Collection<UInt8>, keys: [Key]) throws -> String {
        try keys.map { try sign(id: id, timestamp: timestamp, body: body, key: $0) }.joined(separator: " ")
    }

    public enum Failure: Error, Equatable, Sendable {
        case missingHeaders
        case timestampOutOfTolerance
        case noMatchingSignature
    }

    /// Checks a received webhook: the timestamp within `tolerance` of `now` either way (replays
    /// and clock skew), and at least one signature in the header made by `key` (compared in
    /// constant time).
    public static func verify(
        id: String?, timestamp: String?, signatureHeader: String?, body: some Collection<UInt8>, key: Key,
        now: Date, tolerance: TimeInterval = 300
    ) throws(Failure) {
        guard let id, let timestampText = timestamp, let signatureHeader, let seconds = Int64(timestampText) else { throw .missingHeaders }
        guard abs(now.timeIntervalSince1970 - Double(seconds)) <= tolerance else { throw .timestampOutOfTolerance }
        let content = content(id: id, timestamp: seconds, body: body)
        for candidate in signatureHeader.split(separator: " ") {
            let parts = candidate.split(separator: ",", maxSplits: 1)
            guard parts.count == 2, let signature = Data(base64Encoded: String(parts[1])) else { continue }
            switch (parts[0], key) {
            case ("v1", .symmetric(let secret)):
                if HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: content, using: SymmetricKey(data: secret)) { return }
            case ("v1a", .verifying(let publicKey)):
                if publicKey.isValidSignature(signature, for: content) { return }
            case ("v1a", .signing(let privateKey)):
                if privateKey.publicKey.isValidSignature(signature, for: content) { return }
            default:
                continue
            }
        }
        throw .noMatchingSignature
    }

    /// A new `whsec_` secret of `byteCount` random bytes (24 to 64).
    public static func newSecret(byteCount: Int = 32) -> String {
        precondition((24...64).contains(byteCount), "Standard Webhooks secrets are 24 to 64 bytes")
        return "whsec_" + Data(SymmetricKey(size: .init(bitCount: byteCount * 8)).withUnsafeBytes { Array($0) }).base64EncodedString()
    }

    /// A new Ed25519 pair: `whsk_` (kept by FiscalMix, sealed) and `whpk_` (given to the receiver).
    public static func newSigningKeyPair() -> (secret: String, publicKey: String) {
        let key = Curve25519.Signing.PrivateKey()
        return ("whsk_" + key.rawRepresentation.base64EncodedString(), "whpk_" + key.publicKey.rawRepresentation.base64EncodedString())
    }
}
