import Crypto
import FiscalMixCore
public import Foundation

/// AWS Signature Version 4 (docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html)
/// for S3-compatible stores: the `Authorization` header form for requests, and the query-string
/// form for presigned URLs.
public struct SignatureV4: Sendable {
    /// Prints and dumps with the secret and token redacted (configuration errors and debug logs
    /// may show a value that holds them).
    public struct Credentials: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
        public let accessKeyId: String
        public let secretAccessKey: String
        public let sessionToken: String?
        public init(accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil) {
            self.accessKeyId = accessKeyId
            self.secretAccessKey = secretAccessKey
            self.sessionToken = sessionToken
        }
        public var description: String { "Credentials(accessKeyId: \(accessKeyId), secretAccessKey: [redacted])" }
        public var debugDescription: String { description }
        public var customMirror: Mirror { Mirror(self, children: ["accessKeyId": accessKeyId, "secretAccessKey": "[redacted]"]) }
    }

    public static let unsignedPayload = "UNSIGNED-PAYLOAD"
    static let algorithm = "AWS4-HMAC-SHA256"

    let credentials: Credentials
    let region: String
    let service: String

    public init(credentials: Credentials, region: String, service: String = "s3") {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// The headers to add to a request: `x-amz-date`, `x-amz-content-sha256` (S3), the session
    /// token if any, and `Authorization`. `url` is the full request URL; `headers` those already
    /// set that must be signed (`host` is taken from the URL).
    public func sign(method: String, url: URL, headers: [(String, String)] = [], payloadHash: String, date: Date) -> [(String, String)] {
        let stamp = Self.timestamp(date)
        var signed = headers.map { ($0.0.lowercased(), Self.trimmed($0.1)) }
        signed.append(("host", Self.host(of: url)))
        signed.append(("x-amz-date", stamp))
        if service == "s3" { signed.append(("x-amz-content-sha256", payloadHash)) }
        if let token = credentials.sessionToken { signed.append(("x-amz-security-token", token)) }
        signed.sort { $0.0 < $1.0 }
        let signedNames = signed.map(\.0).joined(separator: ";")
        let canonical = [
            method, Self.canonicalPath(url), Self.canonicalQuery(Self.queryItems(url)),
            signed.map { "\($0.0):\($0.1)\n" }.joined(), signedNames, payloadHash,
        ].joined(separator: "\n")
        let signature = self.signature(canonicalRequest: canonical, stamp: stamp)
        let given = Set(headers.map { $0.0.lowercased() })
        var added = signed.filter { $0.0 != "host" && !given.contains($0.0) }
        added.append(
            (
                "authorization",
                "\(Self.algorithm) Credential=\(credentials.accessKeyId)/\(scope(stamp)), SignedHeaders=\(signedNames), Signature=\(signature)"
            ))
        return added
    }

    /// A URL anyone can use for `method` until `expires` seconds after `date` (at most 7 days,
    /// S3's limit); only `host` is signed and the payload is unsigned.
    public func presign(method: String = "GET", url: URL, expires: Int, date: Date) -> URL {
        let stamp = Self.timestamp(date)
        var query = Self.queryItems(url)
        query += [
            ("X-Amz-Algorithm", Self.algorithm), ("X-Amz-Credential", "\(credentials.accessKeyId)/\(scope(stamp))"),
            ("X-Amz-Date", stamp), ("X-Amz-Expires", String(min(max(expires, 1), 604_800))), ("X-Amz-SignedHeaders", "host"),
        ]
        if let token = credentials.sessionToken { query.append(("X-Amz-Security-Token", token)) }
        let canonicalQuery = Self.canonicalQuery(query)
        let canonical = [method, Self.canonicalPath(url), canonicalQuery, "host:\(Self.host(of: url))\n", "host", Self.unsignedPayload]
            .joined(separator: "\n")
        let signature = self.signature(canonicalRequest: canonical, stamp: stamp)
        var components = URLComponents(url: url, resolvingAgainstBaseURL: false)!
        components.percentEncodedQuery = canonicalQuery + "&X-Amz-Signature=" + signature
        return components.url!
    }

    /// Hex SHA-256 of a payload, for `x-amz-content-sha256` and the canonical request.
    public static func hash(_ bytes: some Sequence<UInt8>) -> String {
        Hex.encode(Array(SHA256.hash(data: Array(bytes))))
    }

    // MARK: - The steps

    func scope(_ stamp: String) -> String { "\(stamp.prefix(8))/\(region)/\(service)/aws4_request" }

    func signature(canonicalRequest: String, stamp: String) -> String {
        let stringToSign = [Self.algorithm, stamp, scope(stamp), Self.hash(Array(canonicalRequest.utf8))].joined(separator: "\n")
        var key = SymmetricKey(data: Array("AWS4\(credentials.secretAccessKey)".utf8))
        for part in [String(stamp.prefix(8)), region, service, "aws4_request"] {
            key = SymmetricKey(data: Array(HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key)))
        }
        return Hex.encode(Array(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: key)))
    }

    static func timestamp(_ date: Date) -> String { ObjectStoreCalls.utc(date, "yyyyMMdd'T'HHmmss'Z'") }

    static func host(of url: URL) -> String {
        let host = url.host ?? ""
        guard let port = url.port, !(url.scheme == "https" && port == 443), !(url.scheme == "http" && port == 80) else { return host }
        return "\(host):\(port)"
    }

    /// S3 signs the path as sent (each segment URI-encoded once, slashes kept).
    static func canonicalPath(_ url: URL) -> String {
        let path = URLComponents(url: url, resolvingAgainstBaseURL: false)?.percentEncodedPath ?? "/"
        return path.isEmpty ? "/" : path
    }

    static func queryItems(_ url: URL) -> [(String, String)] {
        (URLComponents(url: url, resolvingAgainstBaseURL: false)?.queryItems ?? []).map { ($0.name, $0.value ?? "") }
    }

    static func canonicalQuery(_ items: [(String, String)]) -> String {
        let encoded: [(name: String, value: String)] = items.map { (uriEncode($0.0), uriEncode($0.1)) }
        let ordered = encoded.sorted { a, b in a.name == b.name ? a.value < b.value : a.name < b.name }
        return ordered.map { $0.name + "=" + $0.value }.joined(separator: "&")
    }

    /// RFC 3986 encoding as SigV4 wants it: everything but `A–Z a–z 0–9 - . _ ~` as `%XX`.
    public static func uriEncode(_ text: String, keepSlash: Bool = false) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            if unreserved.contains(byte) || (keepSlash && byte == 0x2F) {
                out.append(byte)
            } else {
                out += [0x25, hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static let unreserved: Set<UInt8> = Set(Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8))

    static func trimmed(_ value: String) -> String {
        value.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
    }
}
