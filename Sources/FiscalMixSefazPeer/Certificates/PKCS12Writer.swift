import Crypto
import Foundation
import SwiftASN1
import _CryptoExtras

/// Writes a PKCS#12 file (RFC 7292) the way OpenSSL 3 does by default: the certificates in an
/// encrypted SafeContents and the key in a pkcs8ShroudedKeyBag, both under PBES2 (PBKDF2 with
/// HMAC-SHA256, AES-256-CBC), and an HMAC-SHA256 integrity MAC keyed by the PKCS#12 KDF. The
/// `sefaz-sim mint-cert` command uses it to hand out e-CNPJ-like A1 files.
public struct PKCS12Writer: Sendable {
    public var iterations = 2048
    public var friendlyName: String?

    public init(iterations: Int = 2048, friendlyName: String? = nil) {
        self.iterations = iterations
        self.friendlyName = friendlyName
    }

    /// `certificates` are DER, the leaf first; `pkcs8Key` is the leaf's PrivateKeyInfo DER.
    public func write(certificates: [[UInt8]], pkcs8Key: [UInt8], password: String) throws -> [UInt8] {
        guard let leaf = certificates.first else { throw PKCS12WriteError("a PKCS#12 file needs at least its leaf certificate") }
        let localKeyID = Array(Insecure.SHA1.hash(data: leaf))
        let passwordBytes = Array(password.utf8)

        let certificateBags = try certificates.enumerated().map { index, der in
            try bag(OID.certBag, attributes: index == 0 ? attributes(localKeyID) : nil) { s in
                try s.appendConstructedNode(identifier: .sequence) { s in
                    try s.serialize(OID.x509Certificate)
                    try s.serialize(ASN1OctetString(contentBytes: der[...]), explicitlyTaggedWithTagNumber: 0, tagClass: .contextSpecific)
                }
            }
        }
        let keyBag = try bag(OID.shroudedKeyBag, attributes: attributes(localKeyID)) { s in
            try encrypted(pkcs8Key, password: passwordBytes, into: &s)
        }

        let authenticatedSafe = try der { s in
            try s.appendConstructedNode(identifier: .sequence) { s in
                // ContentInfo(encryptedData) holding the certificates.
                let plainCertificates = try der { try $0.serializeSequenceOf(certificateBags.map(RawDER.init)) }
                try s.appendConstructedNode(identifier: .sequence) { s in
                    try s.serialize(OID.encryptedData)
                    try s.serialize(explicitlyTaggedWithTagNumber: 0, tagClass: .contextSpecific) { s in
                        try s.appendConstructedNode(identifier: .sequence) { s in
                            try s.serialize(0)
                            try s.appendConstructedNode(identifier: .sequence) { s in
                                try s.serialize(OID.data)
                                let (algorithm, ciphertext) = try pbes2(plainCertificates, password: passwordBytes)
                                s.serializeRawBytes(algorithm)
                                // encryptedContent [0] IMPLICIT OCTET STRING
                                try ASN1OctetString(contentBytes: ciphertext[...])
                                    .serialize(into: &s, withIdentifier: ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific))
                            }
                        }
                    }
                }
                // ContentInfo(data) holding the shrouded key.
                let keyContents = try der { try $0.serializeSequenceOf([RawDER(keyBag)]) }
                try dataContentInfo(keyContents, into: &s)
            }
        }

        let macSalt = randomBytes(16)
        let macKey = PKCS12KeyDerivation.sha256(password: password, salt: macSalt, id: 3, iterations: iterations, length: 32)
        let mac = Array(HMAC<SHA256>.authenticationCode(for: authenticatedSafe, using: SymmetricKey(data: macKey)))

        return try der { s in
            try s.appendConstructedNode(identifier: .sequence) { s in
                try s.serialize(3)
                try dataContentInfo(authenticatedSafe, into: &s)
                try s.appendConstructedNode(identifier: .sequence) { s in
                    try s.appendConstructedNode(identifier: .sequence) { s in
                        try s.appendConstructedNode(identifier: .sequence) { s in
                            try s.serialize(OID.sha256)
                            try s.serialize(ASN1Null())
                        }
                        try s.serialize(ASN1OctetString(contentBytes: mac[...]))
                    }
                    try s.serialize(ASN1OctetString(contentBytes: macSalt[...]))
                    try s.serialize(iterations)
                }
            }
        }
    }

    // MARK: - Pieces

    private func der(_ body: (inout DER.Serializer) throws -> Void) throws -> [UInt8] {
        var serializer = DER.Serializer()
        try body(&serializer)
        return serializer.serializedBytes
    }

    private func dataContentInfo(_ content: [UInt8], into s: inout DER.Serializer) throws {
        try s.appendConstructedNode(identifier: .sequence) { s in
            try s.serialize(OID.data)
            try s.serialize(ASN1OctetString(contentBytes: content[...]), explicitlyTaggedWithTagNumber: 0, tagClass: .contextSpecific)
        }
    }

    /// SafeBag ::= SEQUENCE { bagId, bagValue [0] EXPLICIT, bagAttributes SET OF OPTIONAL }
    private func bag(_ id: ASN1ObjectIdentifier, attributes: [UInt8]?, value: (inout DER.Serializer) throws -> Void) throws -> [UInt8] {
        try der { s in
            try s.appendConstructedNode(identifier: .sequence) { s in
                try s.serialize(id)
                try s.serialize(explicitlyTaggedWithTagNumber: 0, tagClass: .contextSpecific, value)
                if let attributes { s.serializeRawBytes(attributes) }
            }
        }
    }

    /// localKeyID (and friendlyName) — how readers pair the key with its certificate.
    private func attributes(_ localKeyID: [UInt8]) throws -> [UInt8] {
        try der { s in
            try s.appendConstructedNode(identifier: .set) { s in
                if let friendlyName {
                    try s.appendConstructedNode(identifier: .sequence) { s in
                        try s.serialize(OID.friendlyName)
                        try s.appendConstructedNode(identifier: .set) { s in
                            let utf16BE = friendlyName.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
                            s.appendPrimitiveNode(identifier: .bmpString) { $0.append(contentsOf: utf16BE) }
                        }
                    }
                }
                try s.appendConstructedNode(identifier: .sequence) { s in
                    try s.serialize(OID.localKeyID)
                    try s.appendConstructedNode(identifier: .set) { s in
                        try s.serialize(ASN1OctetString(contentBytes: localKeyID[...]))
                    }
                }
            }
        }
    }

    /// EncryptedPrivateKeyInfo ::= SEQUENCE { encryptionAlgorithm, encryptedData OCTET STRING }
    private func encrypted(_ plaintext: [UInt8], password: [UInt8], into s: inout DER.Serializer) throws {
        let (algorithm, ciphertext) = try pbes2(plaintext, password: password)
        try s.appendConstructedNode(identifier: .sequence) { s in
            s.serializeRawBytes(algorithm)
            try s.serialize(ASN1OctetString(contentBytes: ciphertext[...]))
        }
    }

    /// PBES2 (RFC 8018): PBKDF2-HMAC-SHA256 → AES-256-CBC. For PBES2 inside PKCS#12 the password
    /// is its UTF-8 bytes (the BMPString form is for the PKCS#12 KDF only), as OpenSSL does.
    /// Returns the AlgorithmIdentifier DER and the ciphertext.
    private func pbes2(_ plaintext: [UInt8], password: [UInt8]) throws -> ([UInt8], [UInt8]) {
        let salt = randomBytes(16)
        let iv = randomBytes(16)
        // 2,048 rounds is what OpenSSL and the CAs' tools write; swift-crypto's checked variant
        // demands 210,000, which PKCS#12 readers take but which makes every open slow.
        let key = try KDF.Insecure.PBKDF2.deriveKey(
            from: password, salt: salt, using: .sha256, outputByteCount: 32, unsafeUncheckedRounds: iterations)
        let ciphertext = Array(try AES._CBC.encrypt(plaintext, using: key, iv: try AES._CBC.IV(ivBytes: iv)))
        let algorithm = try der { s in
            try s.appendConstructedNode(identifier: .sequence) { s in
                try s.serialize(OID.pbes2)
                try s.appendConstructedNode(identifier: .sequence) { s in
                    try s.appendConstructedNode(identifier: .sequence) { s in
                        try s.serialize(OID.pbkdf2)
                        try s.appendConstructedNode(identifier: .sequence) { s in
                            try s.serialize(ASN1OctetString(contentBytes: salt[...]))
                            try s.serialize(iterations)
                            try s.serialize(32)
                            try s.appendConstructedNode(identifier: .sequence) { s in
                                try s.serialize(OID.hmacWithSHA256)
                                try s.serialize(ASN1Null())
                            }
                        }
                    }
                    try s.appendConstructedNode(identifier: .sequence) { s in
                        try s.serialize(OID.aes256CBC)
                        try s.serialize(ASN1OctetString(contentBytes: iv[...]))
                    }
                }
            }
        }
        return (algorithm, ciphertext)
    }

    private func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }

    enum OID {
        static let data: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 7, 1]
        static let encryptedData: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 7, 6]
        static let shroudedKeyBag: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 12, 10, 1, 2]
        static let certBag: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 12, 10, 1, 3]
        static let x509Certificate: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 9, 22, 1]
        static let friendlyName: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 9, 20]
        static let localKeyID: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 9, 21]
        static let pbes2: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 5, 13]
        static let pbkdf2: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 5, 12]
        static let hmacWithSHA256: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 2, 9]
        static let aes256CBC: ASN1ObjectIdentifier = [2, 16, 840, 1, 101, 3, 4, 1, 42]
        static let sha256: ASN1ObjectIdentifier = [2, 16, 840, 1, 101, 3, 4, 2, 1]
    }
}

public struct PKCS12WriteError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// Already-encoded DER, so pre-built bags can go through `serializeSequenceOf`.
private struct RawDER: DERSerializable {
    let bytes: [UInt8]
    init(_ bytes: [UInt8]) { self.bytes = bytes }
    func serialize(into coder: inout DER.Serializer) throws { coder.serializeRawBytes(bytes) }
}

/// The PKCS#12 key derivation (RFC 7292 appendix B.2) with SHA-256, which keys the file's MAC.
/// The password is a BMPString (UTF-16 big-endian) with a two-byte terminator.
enum PKCS12KeyDerivation {
    static func sha256(password: String, salt: [UInt8], id: UInt8, iterations: Int, length: Int) -> [UInt8] {
        let u = 32, v = 64
        var passwordBytes: [UInt8] = []
        if !password.isEmpty {
            for unit in password.utf16 { passwordBytes += [UInt8(unit >> 8), UInt8(unit & 0xFF)] }
            passwordBytes += [0, 0]
        }
        func fill(_ bytes: [UInt8]) -> [UInt8] {
            guard !bytes.isEmpty else { return [] }
            let count = v * ((bytes.count + v - 1) / v)
            return (0..<count).map { bytes[$0 % bytes.count] }
        }
        let diversifier = [UInt8](repeating: id, count: v)
        var input = fill(salt) + fill(passwordBytes)
        var output: [UInt8] = []
        while output.count < length {
            var block = Array(SHA256.hash(data: diversifier + input))
            for _ in 1..<max(iterations, 1) { block = Array(SHA256.hash(data: block)) }
            output += block
            guard output.count < length else { break }
            // I_j = (I_j + B + 1) mod 2^(v·8) for each v-byte block of I, B = block repeated.
            let b = (0..<v).map { block[$0 % u] }
            for start in stride(from: 0, to: input.count, by: v) {
                var carry = 1
                for k in stride(from: v - 1, through: 0, by: -1) {
                    let sum = Int(input[start + k]) + Int(b[k]) + carry
                    input[start + k] = UInt8(sum & 0xFF)
                    carry = sum >> 8
                }
            }
        }
        return Array(output.prefix(length))
    }
}
