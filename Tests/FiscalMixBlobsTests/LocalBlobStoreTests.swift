import FiscalMixBlobs
import FiscalMixCore
import FiscalMixTestSupport
import Foundation
import Testing

@testable import FiscalMixDatabase

/// The embedded blob store: atomic replacement, streamed writes, contained paths.
@Suite struct LocalBlobStoreTests {
    static func withStore(_ body: (LocalBlobStore, String) async throws -> Void) async throws {
        let root = NSTemporaryDirectory() + "fiscalmix-blobs-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: root) }
        try await body(LocalBlobStore(root: root), root)
    }

    @Test func aStreamedWriteLandsWholeAndReadsBackInChunks() async throws {
        try await Self.withStore { store, _ in
            let bytes = ChunkedBlobSource.bytes(5 << 20 + 7)
            try await store.put("exports/2026/11/all.zip", from: ChunkedBlobSource(bytes, chunk: 65_521))
            #expect(try await store.get("exports/2026/11/all.zip") == bytes)
            let reader = try #require(try await store.reader("exports/2026/11/all.zip"))
            #expect(try await reader.readAll(chunk: 100_003) == bytes)
            await reader.close()
        }
    }

    @Test func aFailingSourceLeavesTheOldBytesAndNoTemporaryFile() async throws {
        try await Self.withStore { store, root in
            try await store.put("exports/x.zip", Array("old".utf8))
            await #expect(throws: ChunkedBlobSource.SourceFailed.self) {
                try await store.put("exports/x.zip", from: ChunkedBlobSource(ChunkedBlobSource.bytes(3 << 20), chunk: 1 << 20, failAfter: 2 << 20))
            }
            #expect(try await store.get("exports/x.zip") == Array("old".utf8))
            #expect(try FileManager.default.contentsOfDirectory(atPath: root + "/exports") == ["x.zip"])
            // a key that was never written stays absent
            await #expect(throws: ChunkedBlobSource.SourceFailed.self) {
                try await store.put("exports/new.zip", from: ChunkedBlobSource([1, 2, 3], chunk: 1, failAfter: 2))
            }
            #expect(try await store.get("exports/new.zip") == nil)
        }
    }

    @Test func keysCannotLeaveTheRoot() async throws {
        try await Self.withStore { store, _ in
            for key in ["../escape", "a/../../b", "/etc/passwd", "a//b", "a/./b", "", "a b"] {
                await #expect(throws: LocalBlobStore.InvalidKey.self) { try await store.put(key, from: ChunkedBlobSource([1])) }
                await #expect(throws: LocalBlobStore.InvalidKey.self) { try await store.get(key) }
            }
        }
    }
}
