import FiscalMixCore
import FiscalMixOutbound
import FiscalMixTestSupport
import Foundation
import Testing

@testable import FiscalMixBlobs

/// Blobs larger than one request against the Azure peer: staged blocks and one block list in,
/// ranged reads out.
@Suite struct AzureStreamingTests {
    @Test func aLargeBlobGoesUpInBlocksAndComesBackInRanges() async throws {
        try await AzureBlobPeer.run { peer in
            try await withOutboundClient(maxResponseBytes: 1 << 20) { client in
                let store = AzureBlobStoreTests.store(peer, container: "big", prefix: "d/", client: client)
                try await store.createContainer()
                let bytes = ChunkedBlobSource.bytes(17 << 20 + 5)
                try await store.put("exports/all.zip", from: ChunkedBlobSource(bytes))
                #expect(try await store.get("exports/all.zip") == bytes)  // too large for one answer: ranges
                let reader = try #require(try await store.reader("exports/all.zip"))
                #expect(try await reader.readAll(chunk: 65_536) == bytes)
                #expect(try await store.reader("exports/none.zip") == nil)
                #expect(try await store.list() == ["exports/all.zip"])
                #expect(peer.refused.isEmpty)
            }
        }
    }

    @Test func aFailedUploadLeavesTheOldBlobAndAReplacedBlobFailsItsReader() async throws {
        try await AzureBlobPeer.run { peer in
            try await withOutboundClient(maxResponseBytes: 1 << 20) { client in
                let store = AzureBlobStoreTests.store(peer, container: "aborts", client: client)
                try await store.createContainer()
                try await store.put("x.zip", Array("old".utf8))
                await #expect(throws: ChunkedBlobSource.SourceFailed.self) {
                    try await store.put("x.zip", from: ChunkedBlobSource(ChunkedBlobSource.bytes(30 << 20), failAfter: 20 << 20))
                }
                #expect(try await store.get("x.zip") == Array("old".utf8))

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
                #expect(peer.refused.isEmpty)
            }
        }
    }
}
