import Crypto
import FiscalMixCore
import Foundation

/// Random bearer secrets (session tokens, API keys, invite tokens, recovery codes) and their
/// at-rest form. Such tokens carry ≥ 192 bits of entropy, so a plain SHA-256 is the right
/// hash: no salt or stretching is needed, and lookups stay a single indexed equality.
public enum OpaqueToken {
    /// `prefix` + base64url of `byteCount` random bytes.
    public static func generate(prefix: String = "", byteCount: Int = 32) -> String {
        var bytes = [UInt8](repeating: 0, count: byteCount)
        var rng = SystemRandomNumberGenerator()
        for i in bytes.indices { bytes[i] = UInt8.random(in: 0...255, using: &rng) }
        return prefix + base64URL(bytes)
    }

    public static func sha256Hex(_ token: String) -> String {
        Hex.encode(SHA256.hash(data: Data(token.utf8)))
    }

    public static func base64URL(_ bytes: some Sequence<UInt8>) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

/// Compares two byte strings in time that depends only on their lengths.
public func constantTimeEquals(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> Bool {
    guard a.count == b.count else { return false }
    var difference: UInt8 = 0
    for (x, y) in zip(a, b) { difference |= x ^ y }
    return difference == 0
}

extension OpaqueToken {
    public static func sha256Hex(bytes: some Sequence<UInt8>) -> String {
        Hex.encode(SHA256.hash(data: Array(bytes)))
    }
}
