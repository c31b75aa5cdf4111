import Crypto
public import FiscalMixCore

/// A stored XML sent in chunks, never held whole. The service has already checked the file
/// against its recorded SHA-256 in a first pass; this second pass hashes again as it sends and
/// fails at the end if the bytes differ (the file was replaced in between), so the response is
/// cut short of its Content-Length and the client cannot take it for a complete document.
public struct VerifiedXMLChunks: AsyncSequence, Sendable {
    public typealias Element = [UInt8]
    static let chunkSize = 64 << 10

    let reader: any BlobReader
    let expectedSHA256: String

    public init(reader: any BlobReader, expectedSHA256: String) {
        self.reader = reader
        self.expectedSHA256 = expectedSHA256
    }

    public struct Changed: Error, CustomStringConvertible {
        public var description: String { "the XML changed while it was being sent" }
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let reader: any BlobReader
        let expectedSHA256: String
        var hasher = SHA256()
        var finished = false

        public mutating func next() async throws -> [UInt8]? {
            guard !finished else { return nil }
            let chunk: [UInt8]
            do { chunk = try await reader.read(upTo: VerifiedXMLChunks.chunkSize) } catch {
                finished = true
                await reader.close()
                throw error
            }
            if !chunk.isEmpty {
                hasher.update(data: chunk)
                return chunk
            }
            finished = true
            await reader.close()
            guard Hex.encode(hasher.finalize()) == expectedSHA256 else { throw Changed() }
            return nil
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(reader: reader, expectedSHA256: expectedSHA256) }
}
