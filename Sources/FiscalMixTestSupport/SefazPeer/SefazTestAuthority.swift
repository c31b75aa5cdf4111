import Crypto
import FiscalMixFiscal
import Foundation
import NIOSSL
import SwiftASN1
import X509

/// The SEFAZ peer's own test CA and the server certificate it issues for 127.0.0.1/localhost.
/// Clients trust `caCertificate` through a connector config's CA bundle, as they would an
/// ICP-Brasil chain in production — verification is never switched off.
public struct SefazTestAuthority: Sendable {
    public let caCertificate: NIOSSLCertificate
    public let caPEM: String
    public let serverCertificate: NIOSSLCertificate
    public let serverKey: NIOSSLPrivateKey

    public init(now: Date = Date()) throws {
        let caKey = P256.Signing.PrivateKey()
        let caName = try DistinguishedName {
            CountryName("BR")
            OrganizationName("FiscalMix")
            CommonName("FiscalMix SEFAZ peer test CA")
        }
        let ca = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(caKey.publicKey),
            notValidBefore: now.addingTimeInterval(-86_400), notValidAfter: now.addingTimeInterval(10 * 365 * 86_400),
            issuer: caName, subject: caName, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
            },
            issuerPrivateKey: .init(caKey))
        let serverKey = P256.Signing.PrivateKey()
        let server = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(serverKey.publicKey),
            notValidBefore: now.addingTimeInterval(-86_400), notValidAfter: now.addingTimeInterval(2 * 365 * 86_400),
            issuer: caName, subject: try DistinguishedName { CommonName("localhost") }, signatureAlgorithm: .ecdsaWithSHA256,
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

    /// The CNPJ an e-CNPJ client certificate names (what SEFAZ compares with the CNPJ asked: 593).
    public static func cnpj(inCertificateDER der: [UInt8]) -> String? {
        (try? Certificate(derEncoded: der)).flatMap(ICPBrasil.cnpj(of:))
    }
}
