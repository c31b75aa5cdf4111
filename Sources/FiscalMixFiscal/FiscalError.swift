public import FiscalMixCore

/// What the fiscal slice refuses: certificates, documents, manifestação, the authority's answers.
/// Each code is public and stable (clients depend on it); the HTTP edge alone turns the error
/// into problem+json.
public typealias FiscalError = SliceError<FiscalErrorCode>

public struct FiscalErrorCode: PublicErrorCode {
    public enum Base: String, CaseIterable, Sendable {
        case certificateCnpjMismatch = "certificate_cnpj_mismatch"
        case certificateExists = "certificate_exists"
        case certificateExpired = "certificate_expired"
        case certificateKeyMismatch = "certificate_key_mismatch"
        case certificateNoCnpj = "certificate_no_cnpj"
        case certificateNoPrivateKey = "certificate_no_private_key"
        case certificateNotPkcs12 = "certificate_not_pkcs12"
        case certificateNotRsa = "certificate_not_rsa"
        case certificateNotYetValid = "certificate_not_yet_valid"
        case certificateTooLarge = "certificate_too_large"
        case certificateUnreadable = "certificate_unreadable"
        case certificateWrongPassword = "certificate_wrong_password"
        case docTypeNotDistributable = "doc_type_not_distributable"
        case manifestRejected = "manifest_rejected"
        case noActiveCertificate = "no_active_certificate"
        case notManifestable = "not_manifestable"
        case outboundUnavailable = "outbound_unavailable"
        case sefazBadAnswer = "sefaz_bad_answer"
        case signatureReferenceMissing = "signature_reference_missing"
        case xmlCorrupt = "xml_corrupt"
        case xmlMissing = "xml_missing"
    }

    public let base: Base
    public init(base: Base) { self.base = base }

    public static let certificateCnpjMismatch = Self(base: .certificateCnpjMismatch)
    public static let certificateExists = Self(base: .certificateExists)
    public static let certificateExpired = Self(base: .certificateExpired)
    public static let certificateKeyMismatch = Self(base: .certificateKeyMismatch)
    public static let certificateNoCnpj = Self(base: .certificateNoCnpj)
    public static let certificateNoPrivateKey = Self(base: .certificateNoPrivateKey)
    public static let certificateNotPkcs12 = Self(base: .certificateNotPkcs12)
    public static let certificateNotRsa = Self(base: .certificateNotRsa)
    public static let certificateNotYetValid = Self(base: .certificateNotYetValid)
    public static let certificateTooLarge = Self(base: .certificateTooLarge)
    public static let certificateUnreadable = Self(base: .certificateUnreadable)
    public static let certificateWrongPassword = Self(base: .certificateWrongPassword)
    public static let docTypeNotDistributable = Self(base: .docTypeNotDistributable)
    public static let manifestRejected = Self(base: .manifestRejected)
    public static let noActiveCertificate = Self(base: .noActiveCertificate)
    public static let notManifestable = Self(base: .notManifestable)
    public static let outboundUnavailable = Self(base: .outboundUnavailable)
    public static let sefazBadAnswer = Self(base: .sefazBadAnswer)
    public static let signatureReferenceMissing = Self(base: .signatureReferenceMissing)
    public static let xmlCorrupt = Self(base: .xmlCorrupt)
    public static let xmlMissing = Self(base: .xmlMissing)
}
