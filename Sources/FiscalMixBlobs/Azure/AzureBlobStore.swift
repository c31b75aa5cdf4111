public import FiscalMixCore
public import FiscalMixOutbound
import FiscalMixXML
public import Foundation

/// Blobs in an Azure Blob Storage container (also a process output destination, docs/data-model.md) over the
/// Blob service REST API, through the one outbound client. Authorized with the account's Shared
/// Key, or with a SAS token the deployment was given (then no download links: a SAS cannot mint
/// narrower ones).
public struct AzureBlobStore: BlobStore, BlobLinks {
    public enum Authorization: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
        case sharedKey(AzureSharedKey)
        /// A SAS query string (`sv=…&sig=…`) with read, write, delete and list on the container.
        case sas(String)

        // Printed or dumped, neither the key nor the SAS shows.
        public var description: String {
            switch self {
            case .sharedKey(let key): "sharedKey(\(key))"
            case .sas: "sas([redacted])"
            }
        }
        public var debugDescription: String { description }
        public var customMirror: Mirror { Mirror(self, children: ["authorization": description]) }
    }

    public struct Configuration: Sendable {
        /// `https://<account>.blob.core.windows.net`, or a local emulator's
        /// `http://127.0.0.1:10000/<account>`.
        public var endpoint: URL
        public var container: String
        public var authorization: Authorization
        /// Prepended to every blob name, so deployments can share a container.
        public var prefix: String

        public init(endpoint: URL, container: String, authorization: Authorization, prefix: String = "") {
            self.endpoint = endpoint
            self.container = container
            self.authorization = authorization
            self.prefix = prefix
        }
    }

    let configuration: Configuration
    let client: OutboundClient
    let policy: Policy
    let now: @Sendable () -> Date

    public init(_ configuration: Configuration, client: OutboundClient, now: @escaping @Sendable () -> Date = Date.init) {
        self.configuration = configuration
        self.client = client
        self.policy = ObjectStoreCalls.policy
        self.now = now
    }

    public func createContainer() async throws {
        let response = try await send("PUT", path: "", query: [("restype", "container")], operation: "create_container")
        if response.status == 409, Self.errorCode(response) == "ContainerAlreadyExists" { return }
        try expect(response, [201], "create_container")
    }

    public func put(_ key: String, _ bytes: [UInt8]) async throws {
        let response = try await send(
            "PUT", path: try blobPath(key),
            headers: [
                ("x-ms-blob-type", "BlockBlob"),
                ("Content-Type", "application/octet-stream"),
            ],
            body: bytes, operation: "put")
        try expect(response, [201], "put")
    }

    /// One GET; a blob larger than the outbound client takes in one answer is read in ranges.
    public func get(_ key: String) async throws -> [UInt8]? {
        let response: OutboundResponse
        do {
            response = try await send("GET", path: try blobPath(key), operation: "get")
        } catch let error as OutboundError where error.code == .bodyTooLarge {
            return try await reader(key)?.readAll(chunk: ObjectStoreCalls.rangeSize(client.configuration.maxResponseBytes))
        }
        if response.status == 404 { return nil }
        try expect(response, [200], "get")
        return response.body
    }

    public func delete(_ key: String) async throws {
        let response = try await send("DELETE", path: try blobPath(key), operation: "delete")
        try expect(response, [202, 404], "delete")
    }

    /// Every blob name under `prefix` (List Blobs, following `NextMarker`).
    public func list(prefix: String = "") async throws -> [String] {
        var names: [String] = []
        var marker: String?
        repeat {
            var query = [("restype", "container"), ("comp", "list"), ("prefix", configuration.prefix + prefix)]
            if let marker { query.append(("marker", marker)) }
            let response = try await send("GET", path: "", query: query, operation: "list")
            try expect(response, [200], "list")
            let result = try XReader.parse(response.body)
            names += (result.child("Blobs")?.children("Blob") ?? []).compactMap { $0.text("Name") }
                .map { String($0.dropFirst(configuration.prefix.count)) }
            marker = result.text("NextMarker").flatMap { $0.isEmpty ? nil : $0 }
        } while marker != nil
        return names
    }

    /// A read-only service SAS for the one blob, presenting the link's file name and type.
    public func url(for link: BlobLink) throws -> URL {
        guard case .sharedKey(let key) = configuration.authorization else {
            throw BlobsError(.unprocessable, .linksUnavailable, "Download links need the storage account's shared key.")
        }
        let blob = configuration.prefix + link.key
        guard BlobKey.isValid(link.key) else { throw InvalidBlobKey(key: link.key) }
        let expiry = min(link.expiresAt, now().addingTimeInterval(BlobLink.maxLifetime))
        let sas = key.readSAS(
            container: configuration.container, blob: blob, expiry: expiry,
            contentDisposition: "attachment; filename=\"\(link.filename.filter { $0 != "\"" && $0 != "\\" })\"",
            contentType: link.contentType)
        return URL(string: containerURL() + "/" + SignatureV4.uriEncode(blob, keepSlash: true) + "?" + sas)!
    }

    // MARK: - Requests

    func blobPath(_ key: String) throws -> String {
        guard BlobKey.isValid(key) else { throw InvalidBlobKey(key: key) }
        return "/" + SignatureV4.uriEncode(configuration.prefix + key, keepSlash: true)
    }

    private func containerURL() -> String {
        var base = configuration.endpoint.absoluteString
        if base.hasSuffix("/") { base.removeLast() }
        return base + "/" + configuration.container
    }

    func send(
        _ method: String, path: String, query: [(String, String)] = [], headers: [(String, String)] = [],
        body: [UInt8]? = nil, operation: String
    ) async throws -> OutboundResponse {
        var queryText = query.map { "\($0.0)=\(SignatureV4.uriEncode($0.1))" }.joined(separator: "&")
        var headers = headers
        if case .sas(let token) = configuration.authorization {
            queryText += (queryText.isEmpty ? "" : "&") + (token.hasPrefix("?") ? String(token.dropFirst()) : token)
            headers += [("x-ms-date", AzureSharedKey.httpDate(now())), ("x-ms-version", AzureSharedKey.version)]
        }
        let url = URL(string: containerURL() + path + (queryText.isEmpty ? "" : "?" + queryText))!
        if case .sharedKey(let key) = configuration.authorization {
            headers += key.sign(method: method, url: url, headers: headers, contentLength: body?.count ?? 0, date: now())
        }
        let request = OutboundRequest(
            method: method, url: url.absoluteString, headers: headers, body: body ?? (method == "PUT" ? [] : nil),
            operation: "azure_blob.\(operation)")
        return try await client.execute(
            request, policy: policy,
            context: OutboundContext(
                policyKey: "blobs:azure", allowedAddresses: [configuration.endpoint.host ?? ""]))
    }

    func expect(_ response: OutboundResponse, _ statuses: Set<Int>, _ operation: String) throws {
        guard !statuses.contains(response.status) else { return }
        throw ObjectStoreFailure(service: "Azure Blob", operation: operation, status: response.status, code: Self.errorCode(response))
    }

    static func errorCode(_ response: OutboundResponse) -> String? {
        response.header("x-ms-error-code") ?? (try? XReader.parse(response.body))?.text("Code")
    }
}
