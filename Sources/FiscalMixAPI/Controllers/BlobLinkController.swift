import FiscalMixCore
import FiscalMixFiscal
import FiscalMixHTTPEdge
import FiscalMixSecrets
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `GET /v1/blob-links/{token}`: the downloads behind the links FiscalMix signs itself (for the
/// local blob folder; S3 links go to the bucket). The token is the credential, so the route sits
/// outside the API's authentication; request logs record the route, never the token.
struct BlobLinkController {
    let blobs: any BlobStore
    let signer: BlobLinkSigner
    let clock: any WallClock

    func addRoutes(to group: CatalogedGroup) {
        group.get("/blob-links/:token") { _, context in
            let link: BlobLink
            do {
                link = try signer.link(from: context.parameters.get("token") ?? "", now: clock.now())
            } catch let refusal as BlobLinkSigner.Refusal where refusal == .expired {
                throw RequestError(.gone, .linkExpired, "The download link has expired; ask for a new one.")
            } catch {
                throw FiscalMixError.notFound("Link")
            }
            let missing = FiscalMixError.notFound("Link")
            var size = 0
            let body: ResponseBody
            if let sha256 = link.sha256 {
                // As the XML route: the whole blob is checked against its recorded hash before a
                // byte is sent, then sent through the same check.
                guard let checking = try await blobs.reader(link.key) else { throw missing }
                do {
                    for try await chunk in VerifiedXMLChunks(reader: checking, expectedSHA256: sha256) { size += chunk.count }
                } catch is VerifiedXMLChunks.Changed {
                    throw RequestError(.unavailable, .blobCorrupt, "The stored file does not match its recorded SHA-256; it was not sent.")
                }
                guard let sending = try await blobs.reader(link.key) else { throw missing }
                body = ResponseBody(asyncSequence: VerifiedXMLChunks(reader: sending, expectedSHA256: sha256).map { ByteBuffer(bytes: $0) })
            } else {
                guard let bytes = try await blobs.get(link.key) else { throw missing }
                size = bytes.count
                body = ResponseBody(byteBuffer: ByteBuffer(bytes: bytes))
            }
            var headers = HTTPFields()
            headers[.contentType] = link.contentType
            headers[.contentDisposition] = "attachment; filename=\"\(link.filename.filter { $0 != "\"" && $0 != "\\" })\""
            headers[.contentLength] = String(size)
            headers[.cacheControl] = "private, no-store"
            if let sha256 = link.sha256 { headers[HTTPField.Name("X-Content-SHA256")!] = sha256 }
            return Response(status: .ok, headers: headers, body: body)
        }
    }
}
