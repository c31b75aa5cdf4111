import FiscalMixCore
import FiscalMixOutbound
import FiscalMixTestSupport
import Foundation
import Testing

@testable import FiscalMixBlobs

/// The S3 blob store against a local moto server: put, get, list, delete and presigned GETs.
@Suite struct S3BlobStoreTests {
    static func store(_ moto: MotoServer, bucket: String, prefix: String = "", client: OutboundClient) -> S3BlobStore {
        S3BlobStore(
            .init(
                endpoint: moto.endpoint, bucket: bucket, region: "us-east-1",
                credentials: .init(accessKeyId: MotoServer.accessKeyId, secretAccessKey: MotoServer.secretAccessKey),
                pathStyle: true, prefix: prefix),
            client: client)
    }

    @Test func putGetListDeleteAndPresign() async throws {
        try await MotoServer.run { moto in
            try await withOutboundClient { client in
                let store = Self.store(moto, bucket: "fiscalmix-test", prefix: "tenant-a/", client: client)
                try await store.createBucket()
                try await store.createBucket()  // again: already ours, fine

                let xml = Array("<nfeProc versao=\"4.00\"><NFe>ção &amp; 1234.56</NFe></nfeProc>".utf8)
                let keys = [
                    "nfe/2026/11/35261112345678000199550010000012341000012345-nfe.xml", "nfe/2026/11/b_c.xml", "nfe/2026/12/z.xml", "exports/x.zip",
                ]
                for (n, key) in keys.enumerated() { try await store.put(key, xml + [UInt8(n)]) }
                for (n, key) in keys.enumerated() { #expect(try await store.get(key) == xml + [UInt8(n)]) }
                #expect(try await store.get("nfe/2026/11/missing.xml") == nil)

                // Listing strips the deployment prefix and honours the caller's.
                #expect(Set(try await store.list(prefix: "nfe/2026/11/")) == Set(keys.prefix(2)))
                #expect(Set(try await store.list()) == Set(keys))
                // Another deployment prefix in the same bucket sees nothing of ours.
                #expect(try await Self.store(moto, bucket: "fiscalmix-test", prefix: "tenant-b/", client: client).list().isEmpty)

                // Replacing a key replaces its bytes.
                try await store.put(keys[0], Array("v2".utf8))
                #expect(try await store.get(keys[0]) == Array("v2".utf8))

                // A presigned URL downloads without credentials.
                let url = try store.presignedURL(keys[1], expires: 300)
                let query = URLComponents(url: url, resolvingAgainstBaseURL: false)!.queryItems!.map(\.name)
                #expect(query.contains("X-Amz-Signature") && query.contains("X-Amz-Expires"))
                let fetched = try await client.execute(
                    OutboundRequest(url: url.absoluteString, operation: "test.presigned"), policy: Policy(),
                    context: OutboundContext(policyKey: "test", allowedAddresses: ["127.0.0.1"]))
                #expect(fetched.status == 200 && fetched.body == xml + [1])

                // A download link presents the file name and type it was made with.
                let link = try store.url(
                    for: BlobLink(
                        key: keys[2], expiresAt: Date().addingTimeInterval(120), filename: "nota.xml",
                        contentType: "application/xml; charset=utf-8"))
                let downloaded = try await client.execute(
                    OutboundRequest(url: link.absoluteString, operation: "test.link"), policy: Policy(),
                    context: OutboundContext(policyKey: "test", allowedAddresses: ["127.0.0.1"]))
                #expect(downloaded.status == 200 && downloaded.body == xml + [2])
                #expect(downloaded.header("Content-Disposition") == "attachment; filename=\"nota.xml\"")
                #expect(downloaded.header("Content-Type") == "application/xml; charset=utf-8")

                try await store.delete(keys[0])
                try await store.delete(keys[0])  // deleting what is gone is not an error
                #expect(try await store.get(keys[0]) == nil)
                #expect(Set(try await store.list()) == Set(keys.dropFirst()))

                // Keys that could escape their place are refused before any request.
                await #expect(throws: InvalidBlobKey.self) { try await store.put("../etc/passwd", [1]) }
                await #expect(throws: InvalidBlobKey.self) { try await store.get("/abs") }
            }
        }
    }

    @Test func listingFollowsContinuationTokens() async throws {
        try await MotoServer.run { moto in
            try await withOutboundClient { client in
                let store = Self.store(moto, bucket: "many", client: client)
                try await store.createBucket()
                // S3 answers at most 1,000 keys a page.
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for n in 0..<1_050 {
                        group.addTask { try await store.put(String(format: "k/%05d.xml", n), [UInt8(n % 256)]) }
                        if n % 32 == 31 { try await group.waitForAll() }
                    }
                    try await group.waitForAll()
                }
                let listed = try await store.list(prefix: "k/")
                #expect(listed.count == 1_050 && Set(listed).count == 1_050)
            }
        }
    }

    @Test func aMissingBucketIsAClearFailure() async throws {
        try await MotoServer.run { moto in
            try await withOutboundClient { client in
                let store = Self.store(moto, bucket: "nobody-made-this", client: client)
                do {
                    try await store.put("a.xml", [1])
                    Issue.record("put into a missing bucket succeeded")
                } catch let failure as ObjectStoreFailure {
                    #expect(failure.status == 404 && failure.code == "NoSuchBucket")
                    #expect(!failure.description.contains(MotoServer.secretAccessKey))
                }
            }
        }
    }

    @Test func virtualHostedStyleNamesTheBucketInTheHost() throws {
        let store = S3BlobStore(
            .init(
                endpoint: URL(string: "https://s3.sa-east-1.amazonaws.com")!, bucket: "fiscal", region: "sa-east-1",
                credentials: .init(accessKeyId: "AKIA", secretAccessKey: "secret"), pathStyle: false),
            client: OutboundClient())
        let url = try store.presignedURL("nfe/2026/a_b.xml", expires: 60)
        #expect(url.host == "fiscal.s3.sa-east-1.amazonaws.com")
        #expect(url.absoluteString.hasPrefix("https://fiscal.s3.sa-east-1.amazonaws.com/nfe/2026/a_b.xml?X-Amz-Algorithm=AWS4-HMAC-SHA256"))
    }
}
