import FiscalMixCore
import FiscalMixOutbound
import FiscalMixTestSupport
import Foundation
import Testing

@testable import FiscalMixBlobs

/// Blobs larger than one request against moto: multipart uploads in, ranged reads out.
@Suite struct S3StreamingTests {
    static func etag(_ store: S3BlobStore, _ key: String, client: OutboundClient) async throws -> String {
        let url = try store.presignedURL(key, expires: 60)
        let head = try await client.execute(
            OutboundRequest(method: "HEAD", url: url.absoluteString, operation: "test.head"), policy: Policy(),
            context: OutboundContext(policyKey: "test", allowedAddresses: ["127.0.0.1"]))
        return try #require(head.header("ETag"))
    }

    @Test func aLargeBlobGoesUpInPartsAndComesBackInRanges() async throws {
        try await MotoServer.run { moto in
            try await withOutboundClient(maxResponseBytes: 1 << 20) { client in
                let store = S3BlobStoreTests.store(moto, bucket: "big", prefix: "d/", client: client)
                try await store.createBucket()
                let bytes = ChunkedBlobSource.bytes(19 << 20 + 123)
                try await store.put("exports/all.zip", from: ChunkedBlobSource(bytes))
                // S3's multipart ETag names its part count: 19 MiB in 8 MiB parts is 3.
                #expect(try await Self.etag(store, "exports/all.zip", client: client).hasSuffix("-3\""))
                #expect(try await store.multipartUploadsInProgress().isEmpty)

                #expect(try await store.get("exports/all.zip") == bytes)  // too large for one answer: ranges
                let reader = try #require(try await store.reader("exports/all.zip"))
                #expect(try await reader.readAll(chunk: 65_536) == bytes)
                #expect(try await store.reader("exports/none.zip") == nil)

                // A source smaller than a part is one plain PUT.
                let small = ChunkedBlobSource.bytes(300_000, seed: 7)
                try await store.put("exports/small.zip", from: ChunkedBlobSource(small, chunk: 4_096))
                #expect(try await !Self.etag(store, "exports/small.zip", client: client).contains("-"))
                #expect(try await store.get("exports/small.zip") == small)
            }
        }
    }

    @Test func aFailedUploadIsAbortedAndLeavesTheOldObject() async throws {
        try await MotoServer.run { moto in
            try await withOutboundClient { client in
                let store = S3BlobStoreTests.store(moto, bucket: "aborts", client: client)
                try await store.createBucket()
                try await store.put("exports/x.zip", Array("old".utf8))
                // Fails in the third part, after two were uploaded.
                await #expect(throws: ChunkedBlobSource.SourceFailed.self) {
                    try await store.put("exports/x.zip", from: ChunkedBlobSource(ChunkedBlobSource.bytes(30 << 20), failAfter: 20 << 20))
                }
                #expect(try await store.get("exports/x.zip") == Array("old".utf8))
                #expect(try await store.multipartUploadsInProgress().isEmpty)
                #expect(try await store.list() == ["exports/x.zip"])
            }
        }
    }

    @Test func aBlobReplacedWhileBeingReadFailsTheRead() async throws {
        try await MotoServer.run { moto in
            try await withOutboundClient(maxResponseBytes: 1 << 20) { client in
                let store = S3BlobStoreTests.store(moto, bucket: "changes", client: client)
                try await store.createBucket()
                let first = ChunkedBlobSource.bytes(3 << 20, seed: 1)
                try await store.put("a.xml", first)
                let reader = try #require(try await store.reader("a.xml"))
                #expect(try await reader.read(filling: 1 << 20) == Array(first.prefix(1 << 20)))
                try await store.put("a.xml", ChunkedBlobSource.bytes(3 << 20, seed: 2))
                do {
                    _ = try await reader.readAll()
                    Issue.record("read two versions of one blob as one")
                } catch let failure as ObjectStoreFailure {
                    #expect(failure.code == "BlobChangedWhileReading")
                }
            }
        }
    }
}
