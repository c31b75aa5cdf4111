import Crypto
import FiscalMixBlobs
import FiscalMixCore
import Foundation
import Testing

@testable import FiscalMixDatabase
@testable import FiscalMixFiscal

/// Sending a stored XML without holding it: chunked reads of the blob file, one file version per
/// reader, and a send that fails when the bytes are not the ones recorded.
@Suite struct VerifiedXMLChunksTests {
    static func store() throws -> (LocalBlobStore, URL) {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("blobs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        return (LocalBlobStore(root: root.path), root)
    }

    static func collect(_ chunks: VerifiedXMLChunks) async throws -> (bytes: [UInt8], count: Int) {
        var bytes: [UInt8] = [], count = 0
        for try await chunk in chunks {
            bytes += chunk
            count += 1
        }
        return (bytes, count)
    }

    @Test func aLargeXMLIsSentInChunksAndChecked() async throws {
        let (blobs, root) = try Self.store()
        defer { try? FileManager.default.removeItem(at: root) }
        let xml = Array((0..<300_000).map { "<v>\($0)</v>" }.joined().utf8)
        try await blobs.put("a/doc.xml", xml)
        let reader = try #require(try await blobs.reader("a/doc.xml"))
        let sent = try await Self.collect(VerifiedXMLChunks(reader: reader, expectedSHA256: Hex.encode(SHA256.hash(data: xml))))
        #expect(sent.bytes == xml)
        #expect(sent.count == (xml.count + (64 << 10) - 1) / (64 << 10))
        #expect(try await blobs.reader("a/missing.xml") == nil)
    }

    @Test func aReaderKeepsTheVersionItOpenedAndASendOfOtherBytesFails() async throws {
        let (blobs, root) = try Self.store()
        defer { try? FileManager.default.removeItem(at: root) }
        let original = Array("<nfeProc>original</nfeProc>".utf8)
        try await blobs.put("a/doc.xml", original)
        let opened = try #require(try await blobs.reader("a/doc.xml"))
        try await blobs.put("a/doc.xml", Array("<nfeProc>replaced</nfeProc>".utf8))
        // The rename left the open reader on the old file: it sends the original, whole.
        let sent = try await Self.collect(VerifiedXMLChunks(reader: opened, expectedSHA256: Hex.encode(SHA256.hash(data: original))))
        #expect(sent.bytes == original)

        // A reader whose bytes are not the recorded ones fails at the end of the send.
        let replaced = try #require(try await blobs.reader("a/doc.xml"))
        await #expect(throws: VerifiedXMLChunks.Changed.self) {
            _ = try await Self.collect(VerifiedXMLChunks(reader: replaced, expectedSHA256: Hex.encode(SHA256.hash(data: original))))
        }
    }
}
