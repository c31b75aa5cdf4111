import Crypto
public import Foundation
public import SwiftASN1
public import X509
public import _CryptoExtras

/// An e-CNPJ-like A1 certificate minted by the peer's test CA: an RSA-2048 key (XMLDSig for
/// manifestação is RSA-SHA1), the ICP-Brasil layout — CN "RAZÃO SOCIAL:CNPJ", subjectAltName
/// otherNames 2.16.76.1.3.4 (responsible's data), .2 (responsible's name), .3 (CNPJ) and .7 (INSS),
/// as OCTET STRINGs as DOC-ICP-04 specifies — client-auth and e-mail protection usages.
public struct ECNPJCertificate: Sendable {
    public let certificate: Certificate
    public let issuer: Certificate
    public let privateKey: _RSA.Signing.PrivateKey

    /// The A1 file: leaf, then the CA, and the key, as a CA hands it out.
    public func pkcs12(password: String) throws -> [UInt8] {
        var leaf = DER.Serializer()
        try leaf.serialize(certificate)
        var ca = DER.Serializer()
        try ca.serialize(issuer)
        return try PKCS12Writer(friendlyName: certificate.subject.description)
            .write(certificates: [leaf.serializedBytes, ca.serializedBytes], pkcs8Key: Array(privateKey.pkcs8DERRepresentation), password: password)
    }

    public var pem: String { (try? certificate.serializeAsPEM().pemString) ?? "" }
}

extension SefazTestAuthority {
    public static let icpCNPJ: ASN1ObjectIdentifier = [2, 16, 76, 1, 3, 3]
    static let icpResponsibleData: ASN1ObjectIdentifier = [2, 16, 76, 1, 3, 4]
    static let icpResponsibleName: ASN1ObjectIdentifier = [2, 16, 76, 1, 3, 2]
    static let icpINSS: ASN1ObjectIdentifier = [2, 16, 76, 1, 3, 7]

    /// Mints a certificate for `cnpj` valid from `notBefore` to `notAfter`.
    public func mintECNPJ(
        cnpj: String, companyName: String = "EMPRESA DE TESTE LTDA", responsible: String = "RESPONSAVEL DE TESTE",
        notBefore: Date = Date().addingTimeInterval(-3_600), notAfter: Date = Date().addingTimeInterval(365 * 86_400)
    ) throws -> ECNPJCertificate {
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        func other(_ oid: ASN1ObjectIdentifier, _ text: String) throws -> GeneralName {
            .otherName(.init(typeID: oid, value: try ASN1Any(erasing: ASN1OctetString(contentBytes: ArraySlice(text.utf8)))))
        }
        // Responsible's data: birth date (ddmmaaaa), CPF (11), NIS (11), RG (15), issuer + UF (6).
        let responsibleData = "01011980" + String(repeating: "0", count: 37)
        let certificate = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(key.publicKey),
            notValidBefore: notBefore, notValidAfter: notAfter,
            issuer: ca.subject,
            subject: try DistinguishedName {
                CountryName("BR")
                OrganizationName("ICP-Brasil")
                OrganizationalUnitName("Certificado Digital PJ A1 (FiscalMix sefaz-sim, TESTE)")
                CommonName("\(companyName):\(cnpj)")
            },
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true, nonRepudiation: true, keyEncipherment: true))
                try ExtendedKeyUsage([.clientAuth, .emailProtection])
                SubjectAlternativeNames([
                    try other(Self.icpResponsibleData, responsibleData), try other(Self.icpResponsibleName, responsible),
                    try other(Self.icpCNPJ, cnpj), try other(Self.icpINSS, String(repeating: "0", count: 12)),
                ])
            },
            issuerPrivateKey: .init(caKey))
        return ECNPJCertificate(certificate: certificate, issuer: ca, privateKey: key)
    }
}
