public import FiscalMixCore
import Synchronization

/// A blob source for streaming-upload tests: yields `bytes` in chunks of an awkward size (never
/// what the store asks for, never aligned to its parts) and can fail after some bytes, as a
/// broken export or a dropped client connection would.
public final class ChunkedBlobSource: BlobReader {
    public struct SourceFailed: Error, Equatable {}

    private let bytes: [UInt8]
    private let chunk: Int
    private let failAfter: Int?
    private let offset = Mutex(0)

    public init(_ bytes: [UInt8], chunk: Int = 999_983, failAfter: Int? = nil) {
        self.bytes = bytes
        self.chunk = chunk
        self.failAfter = failAfter
    }

    public func read(upTo count: Int) async throws -> [UInt8] {
        try offset.withLock { offset in
            if let failAfter, offset >= failAfter { throw SourceFailed() }
            let end = min(bytes.count, offset + min(count, chunk))
            defer { offset = end }
            return Array(bytes[offset..<end])
        }
    }

    public func close() async {}

    /// Deterministic bytes that do not compress or repeat within a part (xorshift).
    public static func bytes(_ count: Int, seed: UInt64 = 0x9E37_79B9_7F4A_7C15) -> [UInt8] {
        var state = seed
        var out = [UInt8](repeating: 0, count: count)
        for index in 0..<count {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            out[index] = UInt8(truncatingIfNeeded: state)
        }
        return out
    }
}
