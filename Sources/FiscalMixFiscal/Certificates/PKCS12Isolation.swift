import FiscalMixCore
import Foundation
import NIOSSL

/// Where an uploaded PKCS#12 is first opened so that a hostile file cannot stop the server.
///
/// swift-nio-ssl ends the process (`fatalError`) when a PKCS#12 parses but BoringSSL finds no
/// certificate matching its private key (or no key). The visible-bag precheck catches files
/// without a key bag, but whether the key matches a certificate is only known after decrypting
/// bags (3DES/RC2 for CA-issued files, which swift-crypto does not offer). So the first open
/// happens in a child `fiscalmix inspect-pkcs12` process: if it dies, the upload is refused and
/// the server goes on.
public protocol PKCS12Isolation: Sendable {
    /// False when opening `pfx` with `password` stops the process that tries it.
    func survives(pfx: [UInt8], password: String) async throws -> Bool
}

extension A1Certificate {
    /// Only what BoringSSL does with the file (the child process's whole job): true when it opens,
    /// false when BoringSSL refuses it (the caller then reports why, in-process and safely).
    public static func probe(pfx: [UInt8], password: String) -> Bool {
        guard (try? PKCS12Precheck.check(pfx)) != nil else { return false }
        return (try? NIOSSLPKCS12Bundle(buffer: pfx, passphrase: Array(password.utf8))) != nil
    }

    /// The child's input on stdin: the password's UTF-8 length (4 bytes, big-endian), the
    /// password, then the file. Never on the command line, where `ps` would show it.
    public static func probeInput(pfx: [UInt8], password: String) -> [UInt8] {
        let secret = Array(password.utf8)
        let count = UInt32(secret.count)
        return [UInt8(count >> 24), UInt8(count >> 16 & 0xFF), UInt8(count >> 8 & 0xFF), UInt8(count & 0xFF)] + secret + pfx
    }

    public static func readProbeInput(_ bytes: [UInt8]) -> (pfx: [UInt8], password: String)? {
        guard bytes.count >= 4 else { return nil }
        let count = Int(bytes[0]) << 24 | Int(bytes[1]) << 16 | Int(bytes[2]) << 8 | Int(bytes[3])
        guard bytes.count >= 4 + count else { return nil }
        return (Array(bytes[(4 + count)...]), String(decoding: bytes[4..<(4 + count)], as: UTF8.self))
    }
}
