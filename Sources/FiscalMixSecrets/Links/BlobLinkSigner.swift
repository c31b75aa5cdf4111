import Crypto
public import FiscalMixCore
public import Foundation

/// Signs and checks the tokens of FiscalMix-served download links: base64url of the link's
/// JSON, a dot, base64url of its HMAC-SHA256. The key is derived from the master key (HKDF with
/// its own label), so links need no table and die with a master-key rotation.
public struct BlobLinkSigner: Sendable {
    let key: SymmetricKey

    public init(masterKey: MasterKey) {
        key = HKDF<SHA256>.deriveKey(inputKeyMaterial: masterKey.key, info: Array("fiscalmix blob links v1".utf8), outputByteCount: 32)
    }

    public enum Refusal: Error, Equatable, CustomStringConvertible {
        /// Malformed or not signed by this deployment.
        case invalid
        case expired
        public var description: String { self == .invalid ? "the link is not valid" : "the link has expired" }
    }

    public func token(for link: BlobLink) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        encoder.dateEncodingStrategy = .secondsSince1970
        let payload = OpaqueToken.base64URL(try encoder.encode(link))
        return payload + "." + OpaqueToken.base64URL(HMAC<SHA256>.authenticationCode(for: Array(payload.utf8), using: key))
    }

    /// The link a token grants, when its signature holds (checked in constant time, before
    /// anything in it is read) and it has not expired.
    public func link(from token: String, now: Date) throws(Refusal) -> BlobLink {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard token.utf8.count <= 4096, parts.count == 2, let mac = Self.decode(parts[1]) else { throw .invalid }
        let expected = HMAC<SHA256>.authenticationCode(for: Array(parts[0].utf8), using: key)
        guard constantTimeEquals(Array(expected), mac), let json = Self.decode(parts[0]) else { throw .invalid }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        guard let link = try? decoder.decode(BlobLink.self, from: Data(json)) else { throw .invalid }
        guard link.expiresAt > now else { throw .expired }
        return link
    }

    /// Only the canonical encoding: a last character differing in the bits base64 leaves unused
    /// would decode to the same bytes, and one link would have several spellings.
    static func decode(_ text: Substring) -> [UInt8]? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let bytes = Data(base64Encoded: base64).map(Array.init), OpaqueToken.base64URL(bytes) == text else { return nil }
        return bytes
    }
}
