public import FiscalMixCore

/// What the fiscal slice refuses: certificates, documents, manifestação, the authority's answers.
/// Each code is public and stable (clients depend on it); the HTTP edge alone turns the error
/// into problem+json.
public struct FiscalError: ClientFacingError {
    public struct Code: Hashable, Sendable, CustomStringConvertible, CaseIterable {
        enum Base: String, Sendable, CaseIterable {
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

        let base: Base

        public static let certificateCnpjMismatch = Code(base: .certificateCnpjMismatch)
        public static let certificateExists = Code(base: .certificateExists)
        public static let certificateExpired = Code(base: .certificateExpired)
        public static let certificateKeyMismatch = Code(base: .certificateKeyMismatch)
        public static let certificateNoCnpj = Code(base: .certificateNoCnpj)
        public static let certificateNoPrivateKey = Code(base: .certificateNoPrivateKey)
        public static let certificateNotPkcs12 = Code(base: .certificateNotPkcs12)
        public static let certificateNotRsa = Code(base: .certificateNotRsa)
        public static let certificateNotYetValid = Code(base: .certificateNotYetValid)
        public static let certificateTooLarge = Code(base: .certificateTooLarge)
        public static let certificateUnreadable = Code(base: .certificateUnreadable)
        public static let certificateWrongPassword = Code(base: .certificateWrongPassword)
        public static let docTypeNotDistributable = Code(base: .docTypeNotDistributable)
        public static let manifestRejected = Code(base: .manifestRejected)
        public static let noActiveCertificate = Code(base: .noActiveCertificate)
        public static let notManifestable = Code(base: .notManifestable)
        public static let outboundUnavailable = Code(base: .outboundUnavailable)
        public static let sefazBadAnswer = Code(base: .sefazBadAnswer)
        public static let signatureReferenceMissing = Code(base: .signatureReferenceMissing)
        public static let xmlCorrupt = Code(base: .xmlCorrupt)
        public static let xmlMissing = Code(base: .xmlMissing)

        public static var allCases: [Code] { Base.allCases.map { Code(base: $0) } }
        public var description: String { base.rawValue }
    }

    public let kind: FiscalMixError.Kind
    public let code: Code
    public let message: String
    public let retryAfter: Int?
    public let details: [String: String]

    public init(_ kind: FiscalMixError.Kind, _ code: Code, _ message: String, retryAfter: Int? = nil, details: [String: String] = [:]) {
        self.kind = kind
        self.code = code
        self.message = message
        self.retryAfter = retryAfter
        self.details = details
    }

    public var publicCode: String { code.description }
}
