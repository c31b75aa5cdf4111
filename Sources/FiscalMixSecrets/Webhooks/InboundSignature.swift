import Crypto
import FiscalMixCore
public import Foundation

/// Checks the signature of a webhook FiscalMix receives, in the scheme its provider uses:
/// - `standardWebhooks`: `webhook-id`, `webhook-timestamp`, `webhook-signature` (`v1,` HMAC, a
///   `whsec_` secret), as `WebhookSignature` signs them;
/// - `hmacSHA256`: GitHub-style, `sha256=<hex HMAC-SHA256 of the body>` in a named header;
/// - `timestampedHMAC`: Stripe-style, `t=<unix>,v1=<hex HMAC-SHA256 of "t.body">`.
/// Signatures are compared in constant time; timestamped schemes refuse a timestamp further
/// than `tolerance` from now either way (replays).
public enum InboundSignature {
    public enum Scheme: String, Sendable, Codable, CaseIterable {
        case standardWebhooks = "standard_webhooks"
        case hmacSHA256 = "hmac_sha256"
        case timestampedHMAC = "timestamped_hmac"

        /// The header that carries the signature unless the provider names another.
        public var defaultHeader: String {
            switch self {
            case .standardWebhooks: "webhook-signature"
            case .hmacSHA256: "x-hub-signature-256"
            case .timestampedHMAC: "stripe-signature"
            }
        }
    }

    public enum Failure: Error, Equatable, Sendable, CustomStringConvertible {
        /// A header the scheme needs is absent (its name, lower case).
        case missingHeader(String)
        case malformedSignature
        case timestampOutOfTolerance
        case noMatchingSignature

        public var description: String {
            switch self {
            case .missingHeader(let name): "the \(name) header is missing"
            case .malformedSignature: "the signature header is malformed"
            case .timestampOutOfTolerance: "the timestamp is outside the tolerance (a replay or a skewed clock)"
            case .noMatchingSignature: "no signature matches"
            }
        }
    }

    /// `header` reads a request header by (case-insensitive) name.
    public static func verify(
        _ scheme: Scheme, secret: String, signatureHeader: String?, header: (String) -> String?, body: [UInt8],
        now: Date, tolerance: TimeInterval = 300
    ) throws(Failure) {
        switch scheme {
        case .standardWebhooks:
            guard let key = try? WebhookSignature.key(secret) else { throw .noMatchingSignature }
            for name in ["webhook-id", "webhook-timestamp", (signatureHeader ?? scheme.defaultHeader).lowercased()] where header(name) == nil {
                throw .missingHeader(name)
            }
            do {
                try WebhookSignature.verify(
                    id: header("webhook-id"), timestamp: header("webhook-timestamp"),
                    signatureHeader: header(signatureHeader ?? scheme.defaultHeader), body: body, key: key, now: now,
                    tolerance: tolerance)
            } catch {
                switch error {
                case .missingHeaders: throw .malformedSignature
                case .timestampOutOfTolerance: throw .timestampOutOfTolerance
                case .noMatchingSignature: throw .noMatchingSignature
                }
            }
        case .hmacSHA256:
            guard let value = header(signatureHeader ?? scheme.defaultHeader) else {
                throw .missingHeader((signatureHeader ?? scheme.defaultHeader).lowercased())
            }
            let hex = value.hasPrefix("sha256=") ? String(value.dropFirst(7)) : value
            guard let given = Hex.decode(hex), given.count == 32 else { throw .malformedSignature }
            let expected = Array(HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data(secret.utf8))))
            guard constantTimeEquals(expected, given) else { throw .noMatchingSignature }
        case .timestampedHMAC:
            guard let value = header(signatureHeader ?? scheme.defaultHeader) else {
                throw .missingHeader((signatureHeader ?? scheme.defaultHeader).lowercased())
            }
            var timestamp: Int64?
            var candidates: [[UInt8]] = []
            for part in value.split(separator: ",") {
                let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard pair.count == 2 else { continue }
                if pair[0] == "t" { timestamp = Int64(pair[1]) }
                if pair[0] == "v1", let bytes = Hex.decode(pair[1]) { candidates.append(bytes) }
            }
            guard let timestamp, !candidates.isEmpty else { throw .malformedSignature }
            guard abs(now.timeIntervalSince1970 - Double(timestamp)) <= tolerance else { throw .timestampOutOfTolerance }
            let expected = Array(
                HMAC<SHA256>.authenticationCode(
                    for: Array("\(timestamp).".utf8) + body,
                    using: SymmetricKey(data: Data(secret.utf8))))
            guard candidates.contains(where: { constantTimeEquals(expected, $0) }) else { throw .noMatchingSignature }
        }
    }
}
