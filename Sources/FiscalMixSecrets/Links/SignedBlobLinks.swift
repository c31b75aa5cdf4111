public import FiscalMixCore
public import Foundation

/// Download links FiscalMix serves itself (`GET /v1/blob-links/{token}`), for stores that cannot
/// presign (the local folder).
public struct SignedBlobLinks: BlobLinks {
    let signer: BlobLinkSigner
    /// Where clients reach this server (`FISCALMIX_PUBLIC_URL`, else its listening address).
    let baseURL: String

    public init(signer: BlobLinkSigner, baseURL: String) {
        self.signer = signer
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
    }

    public func url(for link: BlobLink) throws -> URL {
        guard let url = URL(string: baseURL + "/v1/blob-links/" + (try signer.token(for: link))) else {
            throw SecretsError(.unprocessable, .linkUnavailable, "The server's public URL cannot form a link.")
        }
        return url
    }
}
