import Crypto
public import FiscalMixCore
public import Foundation
public import NIOSSL
import SwiftASN1
public import X509

/// An opened ICP-Brasil A1 certificate: the leaf, the rest of the chain, the private key, and what
/// FiscalMix records about it. Opened from a PKCS#12 file — both the PBES2/AES encoding and the
/// legacy RC2-40/3DES one CA-issued files use (BoringSSL reads both).
public struct A1Certificate: Sendable {
    public let chain: [NIOSSLCertificate]
    public let privateKey: NIOSSLPrivateKey
    public let leaf: Certificate
    public let metadata: CertificateMetadata

    /// - Parameters:
    ///   - now: validity is checked against it.
    ///   - companyCNPJ: when given, the certificate's CNPJ must share its root (first 8 characters).
    public static func open(pfx: [UInt8], password: String, now: Date, companyCNPJ: String? = nil) throws(FiscalError) -> A1Certificate {
        try PKCS12Precheck.check(pfx)
        let bundle: NIOSSLPKCS12Bundle
        do {
            bundle = try NIOSSLPKCS12Bundle(buffer: pfx, passphrase: Array(password.utf8))
        } catch {
            // BoringSSL reports a MAC failure as INCORRECT_PASSWORD; anything else is a file it cannot read.
            if String(describing: error).contains("INCORRECT_PASSWORD") {
                throw FiscalError(
                    .unprocessable, .certificateWrongPassword, "The password does not open this certificate file.",
                    details: ["field": "password"])
            }
            throw FiscalError(
                .unprocessable, .certificateNotPkcs12, "The file is not a PKCS#12 (.pfx/.p12) certificate.",
                details: ["field": "file"])
        }
        guard let first = bundle.certificateChain.first, let der = try? first.toDERBytes(), let leaf = try? Certificate(derEncoded: der) else {
            throw FiscalError(.unprocessable, .certificateNotPkcs12, "The file holds no readable certificate.", details: ["field": "file"])
        }
        guard leaf.notValidBefore <= now else {
            throw FiscalError(
                .unprocessable, .certificateNotYetValid, "The certificate is valid only from \(RFC3339.string(from: leaf.notValidBefore)).",
                details: ["field": "file"])
        }
        guard now < leaf.notValidAfter else {
            throw FiscalError(
                .unprocessable, .certificateExpired, "The certificate expired on \(RFC3339.string(from: leaf.notValidAfter)).",
                details: ["field": "file"])
        }
        guard let cnpj = ICPBrasil.cnpj(of: leaf) else {
            throw FiscalError(
                .unprocessable, .certificateNoCnpj, "The certificate names no CNPJ (ICP-Brasil otherName 2.16.76.1.3.3, or 'NAME:CNPJ' in its CN).",
                details: ["field": "file"])
        }
        if let companyCNPJ, companyCNPJ.prefix(8) != cnpj.prefix(8) {
            throw FiscalError(
                .unprocessable, .certificateCnpjMismatch,
                "The certificate belongs to CNPJ \(cnpj), whose root differs from the company's \(companyCNPJ.prefix(8)).",
                details: ["field": "file"])
        }
        let metadata = CertificateMetadata(
            subject: leaf.subject.description, issuer: leaf.issuer.description, serial: Self.hexSerial(leaf.serialNumber),
            cnpj: cnpj, validFrom: leaf.notValidBefore, validTo: leaf.notValidAfter,
            fingerprint: Hex.encode(Array(SHA256.hash(data: der))))
        return A1Certificate(chain: bundle.certificateChain, privateKey: bundle.privateKey, leaf: leaf, metadata: metadata)
    }

    /// The DER of the leaf, for XMLDSig's KeyInfo.
    public var leafDER: [UInt8] { (try? chain[0].toDERBytes()) ?? [] }
}

/// What is recorded about a certificate (`certificates.metadata` plus its own columns; docs/data-model.md).
public struct CertificateMetadata: Sendable, Codable, Equatable {
    public var subject: String
    public var issuer: String
    public var serial: String
    public var cnpj: String
    public var validFrom: Date
    public var validTo: Date
    /// SHA-256 of the leaf's DER, hex.
    public var fingerprint: String
}

extension A1Certificate {
    /// The serial as openssl prints it (`openssl x509 -serial`): every byte as two upper-case hex
    /// digits, without the sign byte DER adds before a high bit (swift-certificates' own
    /// description drops each byte's leading zero: `35:6:ce:…` for `3506CE…`).
    static func hexSerial(_ serial: Certificate.SerialNumber) -> String {
        var bytes = serial.bytes[...]
        while bytes.count > 1, bytes.first == 0 { bytes = bytes.dropFirst() }
        return bytes.map { byte in
            let digits = Array("0123456789ABCDEF")
            return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
        }.joined()
    }
}
