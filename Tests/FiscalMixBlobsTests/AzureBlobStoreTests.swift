import FiscalMixCore
import FiscalMixOutbound
import FiscalMixTestSupport
import Foundation
import Testing

@testable import FiscalMixBlobs

/// The Azure blob store against a local peer that checks Shared Key and SAS as Azure documents
/// them, and its signatures against Microsoft's own Python SDK (`azure-storage-blob`).
@Suite struct AzureBlobStoreTests {
    static let key = AzureSharedKey(account: AzureBlobPeer.account, keyBase64: AzureBlobPeer.keyBase64)!

    static func store(
        _ peer: AzureBlobPeer, container: String, prefix: String = "", key: AzureSharedKey = key,
        client: OutboundClient
    ) -> AzureBlobStore {
        AzureBlobStore(.init(endpoint: peer.endpoint, container: container, authorization: .sharedKey(key), prefix: prefix), client: client)
    }

    @Test func putGetListDeleteAndLinks() async throws {
        try await AzureBlobPeer.run { peer in
            try await withOutboundClient { client in
                let store = Self.store(peer, container: "fiscal", prefix: "tenant-a/", client: client)
                try await store.createContainer()
                try await store.createContainer()  // already there: fine

                let xml = Array("<nfeProc><NFe>1234.56</NFe></nfeProc>".utf8)
                let keys = (0..<230).map { String(format: "nfe/2026/11/%04d.xml", $0) } + ["exports/x.zip"]
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for (n, key) in keys.enumerated() {
                        group.addTask { try await store.put(key, xml + [UInt8(n % 256)]) }
                        if n % 16 == 15 { try await group.waitForAll() }
                    }
                    try await group.waitForAll()
                }
                #expect(try await store.get(keys[7]) == xml + [7])
                #expect(try await store.get("nfe/missing.xml") == nil)
                // The peer pages by 100: three pages, every name once, the prefix stripped.
                let listed = try await store.list(prefix: "nfe/")
                #expect(listed.count == 230 && Set(listed) == Set(keys.dropLast()))
                #expect(try await store.list(prefix: "exports/") == ["exports/x.zip"])

                try await store.delete(keys[0])
                try await store.delete(keys[0])
                #expect(try await store.get(keys[0]) == nil)

                // A SAS link reads that one blob, with the link's name and type, and nothing else.
                let link = try store.url(
                    for: BlobLink(
                        key: keys[3], expiresAt: Date().addingTimeInterval(120), filename: "nota.xml",
                        contentType: "application/xml"))
                let anonymous = OutboundContext(policyKey: "test", allowedAddresses: ["127.0.0.1"])
                let fetched = try await client.execute(
                    OutboundRequest(url: link.absoluteString, operation: "test.sas"), policy: Policy(), context: anonymous)
                #expect(fetched.status == 200 && fetched.body == xml + [3])
                #expect(fetched.header("Content-Disposition") == "attachment; filename=\"nota.xml\"")
                let other = link.absoluteString.replacingOccurrences(of: "0003.xml", with: "0004.xml")
                #expect(
                    try await client.execute(OutboundRequest(url: other, operation: "test.sas"), policy: Policy(), context: anonymous).status == 403)
                let expired = try store.url(
                    for: BlobLink(key: keys[3], expiresAt: Date().addingTimeInterval(-5), filename: "n.xml", contentType: "application/xml"))
                #expect(
                    try await client.execute(
                        OutboundRequest(url: expired.absoluteString, operation: "test.sas"), policy: Policy(), context: anonymous
                    ).status == 403)
            }
        }
    }

    @Test func aWrongKeyIsRefusedAndAMissingContainerIsClear() async throws {
        try await AzureBlobPeer.run { peer in
            try await withOutboundClient { client in
                let wrong = AzureSharedKey(account: AzureBlobPeer.account, keyBase64: Data(repeating: 7, count: 64).base64EncodedString())!
                do {
                    try await Self.store(peer, container: "fiscal", key: wrong, client: client).createContainer()
                    Issue.record("a wrong key was accepted")
                } catch let failure as ObjectStoreFailure {
                    #expect(failure.status == 403 && failure.code == "AuthenticationFailed")
                }
                #expect(peer.refused == ["SharedKey signature mismatch"])
                do {
                    try await Self.store(peer, container: "nobody", client: client).put("a.xml", [1])
                    Issue.record("a put into a missing container succeeded")
                } catch let failure as ObjectStoreFailure {
                    #expect(failure.status == 404 && failure.code == "ContainerNotFound")
                }
            }
        }
    }

    /// The Shared Key header and the SAS signature, computed here and by azure-storage-blob for
    /// the same requests.
    @Test func matchesTheAzureSDK() async throws {
        let date = ISO8601DateFormatter().date(from: "2026-11-24T03:04:05Z")!
        let url = URL(string: "https://fiscalmixdev.blob.core.windows.net/fiscal/nfe/2026/a-1.xml")!
        let headers = Self.key.sign(
            method: "PUT", url: url, headers: [("x-ms-blob-type", "BlockBlob"), ("Content-Type", "application/octet-stream")],
            contentLength: 10, date: date)
        let ours = headers.first { $0.0 == "Authorization" }!.1
        let listURL = URL(string: "https://fiscalmixdev.blob.core.windows.net/fiscal?restype=container&comp=list&prefix=nfe%2F2026%2F&marker=abc")!
        let listOurs = Self.key.sign(method: "GET", url: listURL, headers: [], contentLength: 0, date: date).first { $0.0 == "Authorization" }!.1
        let expiry = ISO8601DateFormatter().date(from: "2026-11-25T00:00:00Z")!
        let sas = Self.key.readSAS(
            container: "fiscal", blob: "nfe/2026/a-1.xml", expiry: expiry,
            contentDisposition: "attachment; filename=\"a.xml\"", contentType: "application/xml")
        let sig = sas.split(separator: "&").first { $0.hasPrefix("sig=") }.map { String($0.dropFirst(4)).removingPercentEncoding! }!
        let script = #"""
            import sys, datetime
            from azure.core.pipeline import PipelineRequest, PipelineContext
            from azure.core.pipeline.transport import HttpRequest
            from azure.storage.blob._shared.authentication import SharedKeyCredentialPolicy
            from azure.storage.blob._shared_access_signature import BlobSharedAccessSignature
            account, key, ours, list_ours, sig = sys.stdin.read().split("\n")
            policy = SharedKeyCredentialPolicy(account, key)
            def sign(method, url, headers):
                request = HttpRequest(method, url, headers=headers)
                pipeline = PipelineRequest(request, PipelineContext(None))
                policy.on_request(pipeline)
                return request.headers["Authorization"]
            common = {"x-ms-date": "Tue, 24 Nov 2026 03:04:05 GMT", "x-ms-version": "2021-08-06"}
            put = sign("PUT", "https://fiscalmixdev.blob.core.windows.net/fiscal/nfe/2026/a-1.xml",
                       dict(common, **{"x-ms-blob-type": "BlockBlob", "Content-Type": "application/octet-stream", "Content-Length": "10"}))
            listing = sign("GET", "https://fiscalmixdev.blob.core.windows.net/fiscal?restype=container&comp=list&prefix=nfe%2F2026%2F&marker=abc", common)
            signer = BlobSharedAccessSignature(account, key)
            signer.x_ms_version = "2021-08-06"  # the version FiscalMix signs with
            token = signer.generate_blob(
                "fiscal", "nfe/2026/a-1.xml", permission="r", expiry=datetime.datetime(2026, 11, 25, tzinfo=datetime.timezone.utc),
                protocol="https,http", content_disposition='attachment; filename="a.xml"', content_type="application/xml")
            from urllib.parse import parse_qs
            theirs_sig = parse_qs(token)["sig"][0]
            problems = []
            if put != ours: problems.append("put: ours %s theirs %s" % (ours, put))
            if listing != list_ours: problems.append("list: ours %s theirs %s" % (list_ours, listing))
            if theirs_sig != sig: problems.append("sas: ours %s theirs %s (%s)" % (sig, theirs_sig, token))
            print("\n".join(problems) if problems else "ok")
            """#
        let input = [AzureBlobPeer.account, AzureBlobPeer.keyBase64, ours, listOurs, sig].joined(separator: "\n")
        let output = try await PythonCheckers.shared.run(script: script, input: Data(input.utf8))
        #expect(output == "ok\n", "\(output)")
    }
}
