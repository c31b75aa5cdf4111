import Crypto
import FiscalMixFiscal
public import Foundation
public import NIOSSL
import SwiftASN1
import X509

/// The SEFAZ peer's own test CA and the server certificate it issues for 127.0.0.1/localhost.
/// Clients trust `caCertificate` through a connector config's CA bundle, as they would an
/// ICP-Brasil chain in production — verification is never switched off. The same CA mints
/// e-CNPJ-like client certificates (`mintECNPJ`), which the peer accepts by chain.
public struct SefazTestAuthority: Sendable {
    public let caCertificate: NIOSSLCertificate
    public let caPEM: String
    public let serverCertificate: NIOSSLCertificate
    public let serverKey: NIOSSLPrivateKey
    let ca: Certificate
    let caKey: P256.Signing.PrivateKey

    /// A fresh CA, held in memory only (what tests use).
    public init(now: Date = Date()) throws {
        let caKey = P256.Signing.PrivateKey()
        try self.init(ca: try Self.makeCA(key: caKey, now: now), caKey: caKey, now: now)
    }

    /// The CA kept in `directory` (`ca.pem`, `ca-key.pem`), created there on first use, so the
    /// certificates it minted and the bundles configured with its PEM stay valid across restarts
    /// of `fiscalmix sefaz-sim`.
    public init(directory: URL, now: Date = Date()) throws {
        let certificateFile = directory.appendingPathComponent("ca.pem")
        let keyFile = directory.appendingPathComponent("ca-key.pem")
        if FileManager.default.fileExists(atPath: certificateFile.path) {
            let key = try P256.Signing.PrivateKey(pemRepresentation: try String(contentsOf: keyFile, encoding: .utf8))
            let ca = try Certificate(pemEncoded: try String(contentsOf: certificateFile, encoding: .utf8))
            try self.init(ca: ca, caKey: key, now: now)
            return
        }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let key = P256.Signing.PrivateKey()
        let ca = try Self.makeCA(key: key, now: now)
        try Data(key.pemRepresentation.utf8).write(to: keyFile, options: .atomic)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: keyFile.path)
        try Data(try ca.serializeAsPEM().pemString.utf8).write(to: certificateFile, options: .atomic)
        try self.init(ca: ca, caKey: key, now: now)
    }

    private init(ca: Certificate, caKey: P256.Signing.PrivateKey, now: Date) throws {
        self.ca = ca
        self.caKey = caKey
        let serverKey = P256.Signing.PrivateKey()
        let server = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(serverKey.publicKey),
            notValidBefore: now.addingTimeInterval(-86_400), notValidAfter: now.addingTimeInterval(2 * 365 * 86_400),
            issuer: ca.subject, subject: try DistinguishedName { CommonName("localhost") }, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames([.dnsName("localhost"), .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1]))])
            },
            issuerPrivateKey: .init(caKey))
        caPEM = try ca.serializeAsPEM().pemString
        caCertificate = try NIOSSLCertificate(bytes: Array(caPEM.utf8), format: .pem)
        serverCertificate = try NIOSSLCertificate(bytes: Array(try server.serializeAsPEM().pemString.utf8), format: .pem)
        self.serverKey = try NIOSSLPrivateKey(bytes: Array(serverKey.pemRepresentation.utf8), format: .pem)
    }

    private static func makeCA(key: P256.Signing.PrivateKey, now: Date) throws -> Certificate {
        let name = try DistinguishedName {
            CountryName("BR")
            OrganizationName("FiscalMix")
            CommonName("FiscalMix SEFAZ peer test CA")
        }
        return try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(key.publicKey),
            notValidBefore: now.addingTimeInterval(-86_400), notValidAfter: now.addingTimeInterval(10 * 365 * 86_400),
            issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
            },
            issuerPrivateKey: .init(key))
    }

    /// Whether `chain` (leaf first, as presented in a TLS handshake) leads to this CA at `now`.
    func issued(_ chain: [NIOSSLCertificate], at now: Date) async -> Bool {
        let certificates = chain.compactMap { try? $0.toDERBytes() }.compactMap { try? Certificate(derEncoded: $0) }
        guard let leaf = certificates.first, certificates.count == chain.count else { return false }
        var verifier = Verifier(rootCertificates: CertificateStore([ca])) { RFC5280Policy(validationTime: now) }
        if case .validCertificate = await verifier.validate(leaf: leaf, intermediates: CertificateStore(certificates.dropFirst())) {
            return true
        }
        return false
    }

    /// The CNPJ an e-CNPJ client certificate names (what SEFAZ compares with the CNPJ asked: 593).
    public static func cnpj(inCertificateDER der: [UInt8]) -> String? {
        (try? Certificate(derEncoded: der)).flatMap(ICPBrasil.cnpj(of:))
    }
}
