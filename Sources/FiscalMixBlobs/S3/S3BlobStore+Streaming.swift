public import FiscalMixCore
import FiscalMixOutbound
import FiscalMixXML
import Foundation

/// Blobs larger than one request: multipart uploads in, ranged GETs out — neither holds more than
/// one part in memory.
extension S3BlobStore {
    /// S3 refuses parts under 5 MiB (but the last); 8 MiB parts reach 78 GiB in S3's 10,000 parts.
    static let partSize = 8 << 20
    static let maxParts = 10_000

    var rangeSize: Int { ObjectStoreCalls.rangeSize(client.configuration.maxResponseBytes) }

    /// A source that fits in one part is one PUT; a larger one is a multipart upload
    /// (CreateMultipartUpload, UploadPart per part, CompleteMultipartUpload), aborted if anything
    /// fails so neither a half object nor its parts stay behind.
    public func put(_ key: String, from source: any BlobReader) async throws {
        let url = try objectURL(key)
        var part = try await source.read(filling: Self.partSize)
        if part.count < Self.partSize { return try await put(key, part) }

        let uploadId = try await createMultipartUpload(url)
        do {
            var etags: [String] = []
            while !part.isEmpty {
                guard etags.count < Self.maxParts else {
                    throw ObjectStoreFailure(service: "S3", operation: "upload_part", status: 400, code: "TooManyParts")
                }
                etags.append(try await uploadPart(url, uploadId: uploadId, number: etags.count + 1, part))
                part = try await source.read(filling: Self.partSize)
            }
            try await completeMultipartUpload(url, uploadId: uploadId, etags: etags)
        } catch {
            try? await abortMultipartUpload(url, uploadId: uploadId)
            throw error
        }
    }

    /// A reader that fetches the blob range by range, each GET conditional on the ETag the first
    /// answer named: a blob replaced half-way fails the read instead of splicing two versions.
    public func reader(_ key: String) async throws -> (any BlobReader)? {
        let url = try objectURL(key)
        let head = try await send("HEAD", url: url, operation: "head")
        if head.status == 404 { return nil }
        try expect(head, [200], "head")
        guard let length = head.header("Content-Length").flatMap(Int.init), let etag = head.header("ETag") else {
            throw ObjectStoreFailure(service: "S3", operation: "head", status: head.status, code: "MissingLengthOrETag")
        }
        return RangedBlobReader(length: length, rangeSize: rangeSize) { offset, count in
            let response = try await send(
                "GET", url: url, headers: [("Range", "bytes=\(offset)-\(offset + count - 1)"), ("If-Match", etag)],
                operation: "get_range")
            return try ObjectStoreCalls.checkedRange(response, service: "S3", count: count) { try? XReader.parse(response.body).text("Code") }
        }
    }

    /// The upload uploads in progress under the deployment's prefix (what an abort must leave empty).
    public func multipartUploadsInProgress() async throws -> [String] {
        let response = try await send(
            "GET", url: bucketURL(query: "uploads&prefix=" + SignatureV4.uriEncode(configuration.prefix)),
            operation: "list_uploads")
        try expect(response, [200], "list_uploads")
        return try XReader.parse(response.body).children("Upload").compactMap { $0.text("Key") }
    }

    // MARK: - The multipart calls

    private func createMultipartUpload(_ url: URL) async throws -> String {
        let response = try await send("POST", url: Self.adding("uploads", to: url), body: [], operation: "create_upload")
        try expect(response, [200], "create_upload")
        guard let uploadId = try XReader.parse(response.body).text("UploadId"), !uploadId.isEmpty else {
            throw ObjectStoreFailure(service: "S3", operation: "create_upload", status: response.status, code: "MissingUploadId")
        }
        return uploadId
    }

    private func uploadPart(_ url: URL, uploadId: String, number: Int, _ bytes: [UInt8]) async throws -> String {
        let partURL = Self.adding("partNumber=\(number)&uploadId=" + SignatureV4.uriEncode(uploadId), to: url)
        let response = try await send("PUT", url: partURL, body: bytes, operation: "upload_part")
        try expect(response, [200], "upload_part")
        guard let etag = response.header("ETag") else {
            throw ObjectStoreFailure(service: "S3", operation: "upload_part", status: response.status, code: "MissingETag")
        }
        return etag
    }

    private func completeMultipartUpload(_ url: URL, uploadId: String, etags: [String]) async throws {
        var body = Array("<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">".utf8)
        for (index, etag) in etags.enumerated() {
            body += Array("<Part><PartNumber>\(index + 1)</PartNumber><ETag>".utf8)
            Canonicalizer.escapeText(etag, into: &body)
            body += Array("</ETag></Part>".utf8)
        }
        body += Array("</CompleteMultipartUpload>".utf8)
        let response = try await send(
            "POST", url: Self.adding("uploadId=" + SignatureV4.uriEncode(uploadId), to: url), body: body,
            operation: "complete_upload")
        // S3 may answer 200 and still report an error in the body (a failure after it started answering).
        let answer = try? XReader.parse(response.body)
        if response.status == 200, answer?.localName == "Error" {
            throw ObjectStoreFailure(service: "S3", operation: "complete_upload", status: 200, code: answer?.text("Code"))
        }
        try expect(response, [200], "complete_upload")
    }

    private func abortMultipartUpload(_ url: URL, uploadId: String) async throws {
        let response = try await send(
            "DELETE", url: Self.adding("uploadId=" + SignatureV4.uriEncode(uploadId), to: url),
            operation: "abort_upload")
        try expect(response, [204, 404], "abort_upload")
    }

    static func adding(_ query: String, to url: URL) -> URL {
        URL(string: url.absoluteString + (url.query == nil ? "?" : "&") + query)!
    }
}
