import Crypto
import FiscalMixSefazPeer
import FiscalMixXML
public import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// A local Azure Blob service (path style, as the Azurite emulator: `/<account>/<container>/<blob>`)
/// for the Azure blob store's tests. It checks every request as Azure documents it — the Shared
/// Key signature recomputed here from the request as received (its own implementation, not the
/// client's), `x-ms-date` within 15 minutes, `x-ms-version` present; or, for GETs, a service SAS
/// (signature, expiry, read permission) — and answers errors with Azure's codes.
public final class AzureBlobPeer: Sendable {
    public static let account = "fiscalmixdev"
    /// A fixed test key (base64 of 64 bytes), as an account key looks.
    public static let keyBase64 = Data((0..<64).map { UInt8(($0 * 37 + 11) % 256) }).base64EncodedString()
    /// List Blobs answers this many names a page, so tests see `NextMarker`.
    static let pageSize = 100

    public let port: Int
    /// A committed blob: its bytes and the ETag that changes with every write.
    struct StoredBlob { var bytes: [UInt8]; var etag: String }
    private let containers = Mutex<[String: [String: StoredBlob]]>([:])
    /// Staged, uncommitted blocks by "container/blob", then block id.
    private let blocks = Mutex<[String: [String: [UInt8]]]>([:])
    private let refusals = Mutex<[String]>([])

    private init(port: Int) { self.port = port }

    public var endpoint: URL { URL(string: "http://127.0.0.1:\(port)/\(Self.account)")! }
    /// Why requests were refused (authentication), oldest first.
    public var refused: [String] { refusals.withLock { $0 } }

    public static func run<T: Sendable>(_ body: @Sendable (AzureBlobPeer) async throws -> T) async throws -> T {
        let router = Router()
        let holder = Mutex<AzureBlobPeer?>(nil)
        for method in [HTTPRequest.Method.get, .head, .put, .delete] {
            for path in ["/:account/:container", "/:account/:container/**"] {
                router.on(RouterPath(path), method: method) { request, context -> Response in
                    guard let peer = holder.withLock({ $0 }) else { return Response(status: .serviceUnavailable) }
                    let body = try await request.body.collect(upTo: 64 << 20)
                    return peer.handle(
                        request, blob: context.parameters.getCatchAll().joined(separator: "/"),
                        container: context.parameters.get("container") ?? "", account: context.parameters.get("account") ?? "",
                        body: Array(buffer: body))
                }
            }
        }
        var logger = Logger(label: "azure-blob-peer")
        logger.logLevel = .critical
        return try await LocalServer.run(
            logger: logger,
            makeApp: { onServerRunning in
                Application(
                    router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), onServerRunning: onServerRunning,
                    logger: logger)
            },
            makeServer: { port in
                let peer = AzureBlobPeer(port: port)
                holder.withLock { $0 = peer }
                return peer
            }, body)
    }

    // MARK: - Operations

    func handle(_ request: Request, blob: String, container: String, account: String, body: [UInt8]) -> Response {
        let query = Self.query(request.uri.query)
        guard account == Self.account else { return Self.error(.badRequest, "InvalidUri", "unknown account") }
        if let refusal = authenticate(request, query: query, blob: blob, container: container, bodyCount: body.count) {
            refusals.withLock { $0.append(refusal) }
            return Self.error(.forbidden, "AuthenticationFailed", refusal)
        }
        let isContainer = blob.isEmpty && query["restype"]?.first == "container"
        switch (request.method, isContainer, query["comp"]?.first) {
        case (.put, true, nil):
            let created = containers.withLock { all -> Bool in
                if all[container] != nil { return false }
                all[container] = [:]
                return true
            }
            return created ? Response(status: .created) : Self.error(.conflict, "ContainerAlreadyExists", "The specified container already exists.")
        case (.get, true, "list"):
            return list(container: container, prefix: query["prefix"]?.first ?? "", marker: query["marker"]?.first)
        case (.put, false, nil):
            guard request.headers[HTTPField.Name("x-ms-blob-type")!] == "BlockBlob" else {
                return Self.error(.badRequest, "MissingRequiredHeader", "x-ms-blob-type is required.")
            }
            return commit(body, container: container, blob: blob)
        case (.put, false, "block"):
            return stageBlock(body, id: query["blockid"]?.first ?? "", container: container, blob: blob)
        case (.put, false, "blocklist"):
            return commitBlockList(body, container: container, blob: blob)
        case (.get, false, nil), (.head, false, nil):
            guard let stored = containers.withLock({ $0[container]?[blob] }) else {
                return request.method == .head
                    ? Response(status: .notFound)
                    : Self.error(.notFound, "BlobNotFound", "The specified blob does not exist.")
            }
            if let expected = request.headers[.ifMatch], expected != stored.etag {
                return Self.error(.preconditionFailed, "ConditionNotMet", "The condition specified using HTTP conditional header(s) is not met.")
            }
            var headers = HTTPFields()
            headers[.contentType] = query["rsct"]?.first ?? "application/octet-stream"
            headers[.eTag] = stored.etag
            if let disposition = query["rscd"]?.first { headers[.contentDisposition] = disposition }
            if request.method == .head {
                headers[.contentLength] = String(stored.bytes.count)
                return Response(status: .ok, headers: headers)
            }
            guard let range = request.headers[HTTPField.Name("x-ms-range")!] ?? request.headers[.range] else {
                return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: stored.bytes)))
            }
            guard let (first, last) = Self.byteRange(range), first < stored.bytes.count, first <= last else {
                return Self.error(.rangeNotSatisfiable, "InvalidRange", "The range specified is invalid for the current size of the resource.")
            }
            let end = min(last, stored.bytes.count - 1)
            headers[.contentRange] = "bytes \(first)-\(end)/\(stored.bytes.count)"
            return Response(
                status: .partialContent, headers: headers,
                body: .init(byteBuffer: ByteBuffer(bytes: stored.bytes[first...end])))
        case (.delete, false, nil):
            let removed = containers.withLock { $0[container]?.removeValue(forKey: blob) != nil }
            blocks.withLock { _ = $0.removeValue(forKey: container + "/" + blob) }
            return removed ? Response(status: .accepted) : Self.error(.notFound, "BlobNotFound", "The specified blob does not exist.")
        default:
            return Self.error(.badRequest, "UnsupportedHttpVerb", "not supported by this peer")
        }
    }

    func commit(_ bytes: [UInt8], container: String, blob: String) -> Response {
        let etag = "\"0x\(UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(15))\""
        let stored = containers.withLock { all -> Bool in
            guard all[container] != nil else { return false }
            all[container]![blob] = StoredBlob(bytes: bytes, etag: etag)
            return true
        }
        guard stored else { return Self.error(.notFound, "ContainerNotFound", "The specified container does not exist.") }
        var headers = HTTPFields()
        headers[.eTag] = etag
        return Response(status: .created, headers: headers)
    }

    /// Put Block: the id is base64 of at most 64 bytes, and every id of one blob has one length.
    func stageBlock(_ bytes: [UInt8], id: String, container: String, blob: String) -> Response {
        guard let decoded = Data(base64Encoded: id), !decoded.isEmpty, decoded.count <= 64 else {
            return Self.error(.badRequest, "InvalidQueryParameterValue", "blockid must be base64 of at most 64 bytes.")
        }
        guard containers.withLock({ $0[container] != nil }) else {
            return Self.error(.notFound, "ContainerNotFound", "The specified container does not exist.")
        }
        let accepted = blocks.withLock { all -> Bool in
            var staged = all[container + "/" + blob] ?? [:]
            if let other = staged.keys.first, other.count != id.count { return false }
            staged[id] = bytes
            all[container + "/" + blob] = staged
            return true
        }
        return accepted
            ? Response(status: .created)
            : Self.error(.badRequest, "InvalidBlobOrBlock", "The specified blob or block content is invalid.")
    }

    /// Put Block List with `Latest` (or `Uncommitted`) ids: the blob becomes those blocks, in order.
    func commitBlockList(_ body: [UInt8], container: String, blob: String) -> Response {
        guard let list = try? XReader.parse(body), list.localName == "BlockList" else {
            return Self.error(.badRequest, "InvalidXmlDocument", "The block list is not valid XML.")
        }
        let ids = list.elements.filter { $0.localName == "Latest" || $0.localName == "Uncommitted" }.map(\.text)
        let assembled = blocks.withLock { all -> [UInt8]? in
            guard let staged = all[container + "/" + blob] else { return ids.isEmpty ? [] : nil }
            var bytes: [UInt8] = []
            for id in ids {
                guard let block = staged[id] else { return nil }
                bytes += block
            }
            all.removeValue(forKey: container + "/" + blob)
            return bytes
        }
        guard let assembled else { return Self.error(.badRequest, "InvalidBlockList", "The specified block list is invalid.") }
        return commit(assembled, container: container, blob: blob)
    }

    /// `bytes=first-last` (both given, as the store sends it).
    static func byteRange(_ text: String) -> (Int, Int)? {
        guard text.hasPrefix("bytes=") else { return nil }
        let bounds = text.dropFirst(6).split(separator: "-", omittingEmptySubsequences: false)
        guard bounds.count == 2, let first = Int(bounds[0]), let last = Int(bounds[1]) else { return nil }
        return (first, last)
    }

    func list(container: String, prefix: String, marker: String?) -> Response {
        guard let names = containers.withLock({ $0[container].map { Array($0.keys) } }) else {
            return Self.error(.notFound, "ContainerNotFound", "The specified container does not exist.")
        }
        let matching = names.filter { $0.hasPrefix(prefix) }.sorted().filter { marker == nil || $0 > marker! }
        let page = matching.prefix(Self.pageSize)
        let next = matching.count > page.count ? page.last! : ""
        let blobs = page.map { "<Blob><Name>\(Self.escape($0))</Name><Properties><BlobType>BlockBlob</BlobType></Properties></Blob>" }.joined()
        let xml = """
            <?xml version="1.0" encoding="utf-8"?><EnumerationResults ServiceEndpoint="http://127.0.0.1:\(port)/\(Self.account)" \
            ContainerName="\(Self.escape(container))"><Prefix>\(Self.escape(prefix))</Prefix><Blobs>\(blobs)</Blobs>\
            <NextMarker>\(Self.escape(next))</NextMarker></EnumerationResults>
            """
        var headers = HTTPFields()
        headers[.contentType] = "application/xml"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: xml)))
    }

    // MARK: - Authentication, as documented

    /// nil when the request is authorized, else why not.
    func authenticate(_ request: Request, query: [String: [String]], blob: String, container: String, bodyCount: Int) -> String? {
        let key = SymmetricKey(data: Data(base64Encoded: Self.keyBase64)!)
        func mac(_ text: String) -> String { Data(HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: key)).base64EncodedString() }
        if let signature = query["sig"]?.first {
            // Service SAS (version 2020-12-06 and later), reads only.
            guard request.method == .get, query["sp"]?.first?.contains("r") == true else { return "SAS does not grant this operation" }
            guard let expiry = query["se"]?.first.flatMap({ ISO8601DateFormatter().date(from: $0) }), expiry > Date() else { return "SAS expired" }
            let fields =
                ["sp", "st", "se"].map { query[$0]?.first ?? "" } + ["/blob/\(Self.account)/\(container)/\(blob)"]
                + ["si", "sip", "spr", "sv", "sr", "sst", "ses", "rscc", "rscd", "rsce", "rscl", "rsct"].map { query[$0]?.first ?? "" }
            // "sst" is the snapshot time field's place in the string to sign.
            return mac(fields.joined(separator: "\n")) == signature ? nil : "SAS signature mismatch"
        }
        guard let authorization = request.headers[.authorization], authorization.hasPrefix("SharedKey \(Self.account):") else {
            return "no SharedKey authorization"
        }
        guard request.headers[HTTPField.Name("x-ms-version")!] != nil else { return "x-ms-version missing" }
        guard let dateText = request.headers[HTTPField.Name("x-ms-date")!], let date = Self.httpDate(dateText),
            abs(date.timeIntervalSinceNow) < 900
        else { return "x-ms-date missing or more than 15 minutes off" }
        func header(_ name: String) -> String { HTTPField.Name(name).flatMap { request.headers[$0] } ?? "" }
        let length = header("Content-Length")
        var toSign =
            [
                request.method.rawValue, header("Content-Encoding"), header("Content-Language"), length == "0" ? "" : length,
                header("Content-MD5"), header("Content-Type"), header("Date"), header("If-Modified-Since"), header("If-Match"),
                header("If-None-Match"), header("If-Unmodified-Since"), header("Range"),
            ].joined(separator: "\n") + "\n"
        let msHeaders = request.headers.filter { $0.name.canonicalName.hasPrefix("x-ms-") }
            .map { ($0.name.canonicalName, $0.value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")) }
            .sorted { $0.0 < $1.0 }
        toSign += msHeaders.map { "\($0.0):\($0.1)\n" }.joined()
        toSign += "/" + Self.account + request.uri.path
        for name in query.keys.sorted() { toSign += "\n\(name):" + query[name]!.sorted().joined(separator: ",") }
        return "SharedKey \(Self.account):\(mac(toSign))" == authorization ? nil : "SharedKey signature mismatch"
    }

    // MARK: - Helpers

    /// Query parameters by lower-cased name, values percent-decoded.
    static func query(_ text: String?) -> [String: [String]] {
        var result: [String: [String]] = [:]
        for pair in (text ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            let name = (parts[0].removingPercentEncoding ?? parts[0]).lowercased()
            let value = parts.count > 1 ? (parts[1].replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? parts[1]) : ""
            result[name, default: []].append(value)
        }
        return result
    }

    static func httpDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.date(from: text)
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }

    static func error(_ status: HTTPResponse.Status, _ code: String, _ message: String) -> Response {
        var headers = HTTPFields()
        headers[HTTPField.Name("x-ms-error-code")!] = code
        headers[.contentType] = "application/xml"
        let xml = "<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>\(code)</Code><Message>\(escape(message))</Message></Error>"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: xml)))
    }
}
