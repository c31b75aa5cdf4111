import Crypto
import FiscalMixCore
public import FiscalMixXML
import Foundation
import NIOSSL
import SwiftASN1
public import X509
public import _CryptoExtras

/// The XMLDSig profile SEFAZ uses (docs/sefaz.md, "The XMLDSig profile"): an enveloped `<Signature>` (default
/// namespace, no prefix) as the last child of the signed element's parent, one `Reference` to the
/// element's `Id`, enveloped-signature + inclusive C14N transforms, SHA-1 digest, RSA-SHA1
/// (PKCS#1 v1.5) signature, the leaf certificate in `KeyInfo`.
public enum XMLSignature {
    static let dsig = "http://www.w3.org/2000/09/xmldsig#"
    static let c14n = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"

    /// Signs the element with `Id` `referenceId` inside `xml` (the root is the element the
    /// signature is appended to, e.g. `<evento>`), returning the signed XML.
    public static func signEnveloped(_ xml: String, referenceId: String, key: _RSA.Signing.PrivateKey, certificateDER: [UInt8]) throws -> String {
        let root = try XReader.parse(Array(xml.utf8))
        guard let canonical = Canonicalizer.canonicalize(descendantWithId: referenceId, in: root, defaultNamespaceOnly: true),
            let close = xml.range(of: "</", options: .backwards)
        else { throw FiscalError(.unprocessable, .signatureReferenceMissing, "Nothing carries Id \(referenceId).") }
        let digest = Data(Insecure.SHA1.hash(data: canonical)).base64EncodedString()
        // Written directly in canonical form (no whitespace, expanded empty elements, one attribute
        // each), so these bytes are what C14N(SignedInfo) yields inside the Signature.
        let signedInfoBody =
            "<CanonicalizationMethod Algorithm=\"\(c14n)\"></CanonicalizationMethod>"
            + "<SignatureMethod Algorithm=\"\(dsig)rsa-sha1\"></SignatureMethod><Reference URI=\"#\(referenceId)\"><Transforms>"
            + "<Transform Algorithm=\"\(dsig)enveloped-signature\"></Transform><Transform Algorithm=\"\(c14n)\"></Transform></Transforms>"
            + "<DigestMethod Algorithm=\"\(dsig)sha1\"></DigestMethod><DigestValue>\(digest)</DigestValue></Reference>"
        let canonicalSignedInfo = Array("<SignedInfo xmlns=\"\(dsig)\">\(signedInfoBody)</SignedInfo>".utf8)
        let value = try key.signature(for: Insecure.SHA1.hash(data: canonicalSignedInfo), padding: .insecurePKCS1v1_5)
        let signature =
            "<Signature xmlns=\"\(dsig)\"><SignedInfo>\(signedInfoBody)</SignedInfo>"
            + "<SignatureValue>\(value.rawRepresentation.base64EncodedString())</SignatureValue>"
            + "<KeyInfo><X509Data><X509Certificate>\(Data(certificateDER).base64EncodedString())</X509Certificate></X509Data></KeyInfo></Signature>"
        return String(xml[..<close.lowerBound]) + signature + String(xml[close.lowerBound...])
    }

    /// Signs with an A1 certificate's key, its leaf in KeyInfo.
    public static func signEnveloped(_ xml: String, referenceId: String, with identity: A1Certificate) throws -> String {
        let key: _RSA.Signing.PrivateKey
        do { key = try _RSA.Signing.PrivateKey(derRepresentation: identity.privateKey.derBytes) } catch {
            throw FiscalError(.unprocessable, .certificateNotRsa, "The A1 certificate's key is not an RSA key; SEFAZ signatures need one.")
        }
        return try signEnveloped(xml, referenceId: referenceId, key: key, certificateDER: identity.leafDER)
    }

    /// What a verification found.
    public struct Verified: Sendable {
        public var referenceId: String
        public var certificate: Certificate
    }

    public struct Invalid: Error, Sendable, CustomStringConvertible {
        public enum Reason: String, Sendable { case missing, unsupportedAlgorithm, digestMismatch, badSignature, badCertificate }
        public let reason: Reason
        public let message: String
        public var description: String { message }
    }

    /// Verifies the first signature in the document: the digest of the referenced element and the
    /// RSA-SHA1 value over the canonical SignedInfo, with the key of the certificate in KeyInfo.
    /// (Whether that certificate is trusted is the caller's decision.)
    public static func verify(_ root: XElement) throws(Invalid) -> Verified {
        var ancestors: [XNamespaceDeclaration] = []
        guard let signature = find(root, &ancestors), let signedInfo = signature.child("SignedInfo"),
            let reference = signedInfo.child("Reference"), let uri = reference.attribute("URI"), uri.hasPrefix("#"),
            let digestText = reference.child("DigestValue")?.text, let valueText = signature.child("SignatureValue")?.text,
            let certificateText = signature.descendant("KeyInfo", "X509Data", "X509Certificate")?.text
        else { throw Invalid(reason: .missing, message: "No complete enveloped Signature.") }
        let transforms = reference.child("Transforms")?.children("Transform").compactMap { $0.attribute("Algorithm") } ?? []
        guard signedInfo.child("CanonicalizationMethod")?.attribute("Algorithm") == c14n,
            signedInfo.child("SignatureMethod")?.attribute("Algorithm") == dsig + "rsa-sha1",
            reference.child("DigestMethod")?.attribute("Algorithm") == dsig + "sha1",
            transforms.allSatisfy({ $0 == dsig + "enveloped-signature" || $0 == c14n })
        else { throw Invalid(reason: .unsupportedAlgorithm, message: "Only C14N 1.0, RSA-SHA1 and SHA-1 are accepted.") }
        let id = String(uri.dropFirst())
        guard let canonical = Canonicalizer.canonicalize(descendantWithId: id, in: root, defaultNamespaceOnly: true, excluding: { $0 === signature })
        else { throw Invalid(reason: .missing, message: "Nothing carries Id \(id).") }
        guard Data(Insecure.SHA1.hash(data: canonical)).base64EncodedString() == digestText.filter({ !$0.isWhitespace }) else {
            throw Invalid(reason: .digestMismatch, message: "The signed element changed after signing (digest mismatch).")
        }
        guard let der = Data(base64Encoded: certificateText.filter { !$0.isWhitespace }),
            let certificate = try? Certificate(derEncoded: Array(der)), let key = _RSA.Signing.PublicKey(certificate.publicKey),
            let value = Data(base64Encoded: valueText.filter { !$0.isWhitespace })
        else { throw Invalid(reason: .badCertificate, message: "KeyInfo holds no usable RSA certificate.") }
        let scope = (ancestors + signature.namespaceDeclarations).filter { $0.prefix == nil }
        let canonicalSignedInfo = Canonicalizer.canonicalize(signedInfo, inScope: scope)
        guard
            key.isValidSignature(
                _RSA.Signing.RSASignature(rawRepresentation: value), for: Insecure.SHA1.hash(data: canonicalSignedInfo),
                padding: .insecurePKCS1v1_5)
        else { throw Invalid(reason: .badSignature, message: "The signature value does not verify with the certificate's key.") }
        return Verified(referenceId: id, certificate: certificate)
    }

    /// The first dsig `Signature` element, collecting the namespace declarations above it.
    private static func find(_ element: XElement, _ ancestors: inout [XNamespaceDeclaration]) -> XElement? {
        if element.localName == "Signature", element.namespace == dsig { return element }
        let mark = ancestors.count
        ancestors.append(contentsOf: element.namespaceDeclarations)
        for child in element.elements {
            if let found = find(child, &ancestors) { return found }
        }
        ancestors.removeSubrange(mark...)
        return nil
    }
}
