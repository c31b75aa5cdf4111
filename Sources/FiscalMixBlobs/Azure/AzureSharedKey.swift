import Crypto
public import Foundation

/// Azure Storage's Shared Key authorization for the Blob service
/// (learn.microsoft.com/rest/api/storageservices/authorize-with-shared-key) and service SAS
/// tokens for blob downloads (…/create-service-sas, version 2020-12-06 and later).
public struct AzureSharedKey: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public static let version = "2021-08-06"

    let account: String
    let key: SymmetricKey

    // Printed or dumped, the key never shows.
    public var description: String { "AzureSharedKey(account: \(account), key: [redacted])" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["account": account, "key": "[redacted]"]) }

    /// `keyBase64` is the account key as the portal shows it.
    public init?(account: String, keyBase64: String) {
        guard let bytes = Data(base64Encoded: keyBase64), !bytes.isEmpty else { return nil }
        self.account = account
        self.key = SymmetricKey(data: bytes)
    }

    /// The `x-ms-date`, `x-ms-version` and `Authorization` headers for a request. `headers` are
    /// those the request already carries (standard ones such as `Content-Type` and every
    /// `x-ms-*`); `contentLength` is the body's size.
    public func sign(method: String, url: URL, headers: [(String, String)], contentLength: Int, date: Date) -> [(String, String)] {
        let added = [("x-ms-date", Self.httpDate(date)), ("x-ms-version", Self.version)]
        let all = headers + added
        func standard(_ name: String) -> String {
            all.first { $0.0.caseInsensitiveCompare(name) == .orderedSame }?.1 ?? ""
        }
        let msHeaders = all.map { ($0.0.lowercased(), $0.1) }.filter { $0.0.hasPrefix("x-ms-") }.sorted { $0.0 < $1.0 }
        let canonicalHeaders = msHeaders.map { "\($0.0):\(Self.unfolded($0.1))\n" }.joined()
        let stringToSign =
            [
                method, standard("Content-Encoding"), standard("Content-Language"), contentLength == 0 ? "" : String(contentLength),
                standard("Content-MD5"), standard("Content-Type"), "", standard("If-Modified-Since"), standard("If-Match"),
                standard("If-None-Match"), standard("If-Unmodified-Since"), standard("Range"),
            ].joined(separator: "\n") + "\n" + canonicalHeaders + canonicalResource(url)
        return added + [("Authorization", "SharedKey \(account):\(signature(stringToSign))")]
    }

    /// The query string of a read-only service SAS for one blob, valid until `expiry`, that
    /// makes the download answer with `contentDisposition` and `contentType`.
    public func readSAS(container: String, blob: String, expiry: Date, contentDisposition: String, contentType: String) -> String {
        let expires = Self.isoSeconds(expiry)
        let fields = [
            "r", "", expires, "/blob/\(account)/\(container)/\(blob)", "", "", "https,http", Self.version, "b", "", "",
            "", contentDisposition, "", "", contentType,
        ]
        let signature = signature(fields.joined(separator: "\n"))
        let query: [(String, String)] = [
            ("sv", Self.version), ("se", expires), ("sr", "b"), ("sp", "r"), ("spr", "https,http"),
            ("rscd", contentDisposition), ("rsct", contentType), ("sig", signature),
        ]
        return query.map { "\($0.0)=\(SignatureV4.uriEncode($0.1))" }.joined(separator: "&")
    }

    func signature(_ stringToSign: String) -> String {
        Data(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: key)).base64EncodedString()
    }

    /// `/account/path` then each query parameter on its own line, names lower-cased and sorted,
    /// values decoded and (when repeated) sorted and comma-joined.
    func canonicalResource(_ url: URL) -> String {
        let components = URLComponents(url: url, resolvingAgainstBaseURL: false)
        var resource = "/" + account + (components?.percentEncodedPath.isEmpty == false ? components!.percentEncodedPath : "/")
        var grouped: [String: [String]] = [:]
        for item in components?.queryItems ?? [] { grouped[item.name.lowercased(), default: []].append(item.value ?? "") }
        for name in grouped.keys.sorted() {
            resource += "\n\(name):" + grouped[name]!.sorted().joined(separator: ",")
        }
        return resource
    }

    static func unfolded(_ value: String) -> String {
        value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }).joined(separator: " ")
    }

    /// RFC 1123, as `x-ms-date` wants it.
    static func httpDate(_ date: Date) -> String { ObjectStoreCalls.utc(date, "EEE, dd MMM yyyy HH:mm:ss 'GMT'") }

    static func isoSeconds(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}
