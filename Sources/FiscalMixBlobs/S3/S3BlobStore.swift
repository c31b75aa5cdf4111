public import FiscalMixCore
public import FiscalMixOutbound
import FiscalMixXML
public import Foundation

/// Blobs in an S3-compatible bucket over S3's REST API, signed with Signature V4, through the
/// one outbound client (retries on 5xx and connection errors, timeouts, request logs). Keys are
/// the same `BlobKey`s the local store takes.
///
/// The endpoint comes from the deployment's configuration, not from an account, so it is
/// allowed past the SSRF guard by name (a MinIO or moto on a private address works).
public struct S3BlobStore: BlobStore, BlobLinks {
    public struct Configuration: Sendable {
        /// `https://s3.sa-east-1.amazonaws.com`, `http://127.0.0.1:9000` …
        public var endpoint: URL
        public var bucket: String
        public var region: String
        public var credentials: SignatureV4.Credentials
        /// `endpoint/bucket/key` (MinIO, moto, most self-hosted stores) instead of
        /// `bucket.endpoint/key` (AWS's virtual-hosted style).
        public var pathStyle: Bool
        /// Prepended to every key, so several deployments can share a bucket.
        public var prefix: String

        public init(endpoint: URL, bucket: String, region: String, credentials: SignatureV4.Credentials, pathStyle: Bool, prefix: String = "") {
            self.endpoint = endpoint
            self.bucket = bucket
            self.region = region
            self.credentials = credentials
            self.pathStyle = pathStyle
            self.prefix = prefix
        }
    }

    let configuration: Configuration
    let signer: SignatureV4
    let client: OutboundClient
    let policy: Policy
    let now: @Sendable () -> Date

    public init(_ configuration: Configuration, client: OutboundClient, now: @escaping @Sendable () -> Date = Date.init) {
        self.configuration = configuration
        self.signer = SignatureV4(credentials: configuration.credentials, region: configuration.region)
        self.client = client
        self.policy = ObjectStoreCalls.policy
        self.now = now
    }

    public func put(_ key: String, _ bytes: [UInt8]) async throws {
        let response = try await send("PUT", url: try objectURL(key), body: bytes, operation: "put")
        try expect(response, [200], "put")
    }

    /// One GET; a blob larger than the outbound client takes in one answer is read in ranges.
    public func get(_ key: String) async throws -> [UInt8]? {
        let response: OutboundResponse
        do {
            response = try await send("GET", url: try objectURL(key), operation: "get")
        } catch let error as OutboundError where error.code == .bodyTooLarge {
            return try await reader(key)?.readAll(chunk: rangeSize)
        }
        if response.status == 404 { return nil }
        try expect(response, [200], "get")
        return response.body
    }

    public func delete(_ key: String) async throws {
        let response = try await send("DELETE", url: try objectURL(key), operation: "delete")
        try expect(response, [200, 204, 404], "delete")
    }

    /// Creates the bucket (setup and tests); an existing bucket of ours is fine.
    public func createBucket() async throws {
        var body: [UInt8]?
        if configuration.region != "us-east-1" {
            body = Array(
                """
                <CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LocationConstraint>\(configuration.region)</LocationConstraint></CreateBucketConfiguration>
                """.utf8)
        }
        let response = try await send("PUT", url: bucketURL(query: nil), body: body, operation: "create_bucket")
        if response.status == 409, (try? XReader.parse(response.body))?.text("Code") == "BucketAlreadyOwnedByYou" { return }
        try expect(response, [200], "create_bucket")
    }

    /// Every key under `prefix` (ListObjectsV2, following continuation tokens), in S3's order.
    public func list(prefix: String = "") async throws -> [String] {
        var keys: [String] = []
        var token: String?
        repeat {
            var query = "list-type=2&prefix=" + SignatureV4.uriEncode(configuration.prefix + prefix)
            if let token { query += "&continuation-token=" + SignatureV4.uriEncode(token) }
            let response = try await send("GET", url: bucketURL(query: query), operation: "list")
            try expect(response, [200], "list")
            let result = try XReader.parse(response.body)
            keys += result.children("Contents").compactMap { $0.text("Key") }.map { String($0.dropFirst(configuration.prefix.count)) }
            token = result.text("IsTruncated") == "true" ? result.text("NextContinuationToken") : nil
        } while token != nil
        return keys
    }

    /// A URL that downloads the blob without credentials until `expires` seconds from now (at
    /// most 7 days).
    public func presignedURL(_ key: String, expires: Int) throws -> URL {
        signer.presign(url: try objectURL(key), expires: expires, date: now())
    }

    /// A presigned GET that answers with the link's file name and content type (S3's
    /// `response-content-*` overrides, which the signature covers).
    public func url(for link: BlobLink) throws -> URL {
        var components = URLComponents(url: try objectURL(link.key), resolvingAgainstBaseURL: false)!
        components.percentEncodedQuery =
            "response-content-disposition="
            + SignatureV4.uriEncode("attachment; filename=\"\(link.filename.filter { $0 != "\"" && $0 != "\\" })\"")
            + "&response-content-type=" + SignatureV4.uriEncode(link.contentType)
        let now = now()
        let seconds = Int(min(max(link.expiresAt.timeIntervalSince(now), 1), BlobLink.maxLifetime).rounded(.up))
        return signer.presign(url: components.url!, expires: seconds, date: now)
    }

    // MARK: - Requests

    func objectURL(_ key: String) throws -> URL {
        guard BlobKey.isValid(key) else { throw InvalidBlobKey(key: key) }
        let path = SignatureV4.uriEncode(configuration.prefix + key, keepSlash: true)
        return configuration.pathStyle
            ? URL(string: base() + "/" + configuration.bucket + "/" + path)!
            : URL(string: base() + "/" + path)!
    }

    func bucketURL(query: String?) -> URL {
        URL(string: base() + (configuration.pathStyle ? "/" + configuration.bucket : "/") + (query.map { "?" + $0 } ?? ""))!
    }

    private func base() -> String {
        var components = URLComponents(url: configuration.endpoint, resolvingAgainstBaseURL: false)!
        if !configuration.pathStyle { components.host = configuration.bucket + "." + (components.host ?? "") }
        components.path = ""
        return components.string!
    }

    func send(_ method: String, url: URL, headers: [(String, String)] = [], body: [UInt8]? = nil, operation: String) async throws -> OutboundResponse
    {
        let signed = signer.sign(method: method, url: url, headers: headers, payloadHash: SignatureV4.hash(body ?? []), date: now())
        let request = OutboundRequest(
            method: method, url: url.absoluteString, headers: headers + signed, body: body,
            operation: "s3.\(operation)")
        return try await client.execute(
            request, policy: policy,
            context: OutboundContext(
                policyKey: "blobs:s3", allowedAddresses: [configuration.endpoint.host ?? ""]))
    }

    func expect(_ response: OutboundResponse, _ statuses: Set<Int>, _ operation: String) throws {
        guard !statuses.contains(response.status) else { return }
        let code = (try? XReader.parse(response.body))?.text("Code")
        throw ObjectStoreFailure(service: "S3", operation: operation, status: response.status, code: code)
    }
}
