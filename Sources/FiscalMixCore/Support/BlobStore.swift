import Synchronization

/// Where large payloads live (fiscal XML, exports): a local folder by default, an object store
/// in production. Keys are relative paths of `[A-Za-z0-9._-]` segments joined by `/`.
public protocol BlobStore: Sendable {
    /// Stores `bytes` under `key`, replacing what was there; durable when it returns.
    func put(_ key: String, _ bytes: [UInt8]) async throws
    /// The bytes under `key`, or nil when there are none.
    func get(_ key: String) async throws -> [UInt8]?
    func delete(_ key: String) async throws
    /// Stores several blobs; all durable when it returns (a store may flush once for the lot).
    func putAll(_ blobs: [(key: String, bytes: [UInt8])]) async throws
    /// A reader over the bytes under `key`, chunk by chunk, or nil when there are none: for
    /// sending a blob without holding it whole.
    func reader(_ key: String) async throws -> (any BlobReader)?
}

/// Sequential reads of one blob. A reader sees one version of the blob throughout, even if the
/// key is replaced meanwhile.
public protocol BlobReader: Sendable {
    /// Up to `count` next bytes; empty at the end.
    func read(upTo count: Int) async throws -> [UInt8]
    func close() async
}

extension BlobStore {
    public func putAll(_ blobs: [(key: String, bytes: [UInt8])]) async throws {
        for blob in blobs { try await put(blob.key, blob.bytes) }
    }

    /// For stores that can only read whole blobs.
    public func reader(_ key: String) async throws -> (any BlobReader)? {
        try await get(key).map(WholeBlobReader.init)
    }
}

/// A reader over bytes already in memory.
final class WholeBlobReader: BlobReader {
    private let bytes: [UInt8]
    private let offset: Mutex<Int>

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        offset = Mutex(0)
    }

    func read(upTo count: Int) async throws -> [UInt8] {
        offset.withLock { offset in
            let end = min(bytes.count, offset + count)
            defer { offset = end }
            return Array(bytes[offset..<end])
        }
    }

    func close() async {}
}

public enum BlobKey {
    /// True for a key a store accepts: no empty, `.` or `..` segment, no leading `/`.
    public static func isValid(_ key: String) -> Bool {
        guard !key.isEmpty, key.utf8.count <= 1024 else { return false }
        return key.split(separator: "/", omittingEmptySubsequences: false).allSatisfy { segment in
            !segment.isEmpty && segment != "." && segment != ".."
                && segment.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || $0 == 46 || $0 == 95 || $0 == 45 }
        }
    }
}
