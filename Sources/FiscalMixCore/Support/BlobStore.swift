public import Foundation
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
    /// Stores what `source` yields under `key` without holding it whole (exports, large
    /// documents); durable when it returns. If it fails — the source included — nothing new is
    /// under `key`: the old bytes, if any, stay.
    func put(_ key: String, from source: any BlobReader) async throws
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
        try await get(key).map(BytesBlobReader.init)
    }

    /// For stores that can only write whole blobs.
    public func put(_ key: String, from source: any BlobReader) async throws {
        try await put(key, source.readAll())
    }
}

extension BlobReader {
    /// The next `count` bytes, fewer only at the end.
    public func read(filling count: Int) async throws -> [UInt8] {
        var bytes = try await read(upTo: count)
        while bytes.count < count {
            let more = try await read(upTo: count - bytes.count)
            if more.isEmpty { break }
            bytes += more
        }
        return bytes
    }

    /// Everything left.
    public func readAll(chunk: Int = 1 << 20) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        while true {
            let more = try await read(upTo: chunk)
            if more.isEmpty { return bytes }
            bytes += more
        }
    }
}

/// A reader over bytes already in memory.
public final class BytesBlobReader: BlobReader {
    private let bytes: [UInt8]
    private let offset: Mutex<Int>

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
        offset = Mutex(0)
    }

    public func read(upTo count: Int) async throws -> [UInt8] {
        offset.withLock { offset in
            let end = min(bytes.count, offset + count)
            defer { offset = end }
            return Array(bytes[offset..<end])
        }
    }

    public func close() async {}
}

public enum BlobKey {
    /// True for a key a store accepts: no empty, `.` or `..` segment, no leading `/`.
    public static func isValid(_ key: String) -> Bool {
        guard !key.isEmpty, key.utf8.count <= 1024 else { return false }
        return key.split(separator: "/", omittingEmptySubsequences: false).allSatisfy { segment in
            !segment.isEmpty && segment != "." && segment != ".."
                && segment.utf8.allSatisfy {
                    ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || $0 == 46 || $0 == 95 || $0 == 45
                }
        }
    }
}

/// Time-limited download links to blobs: anyone holding one can fetch that blob, and only it,
/// until it expires — without an API key. S3 presigns its own URLs; the local store's links are
/// served by FiscalMix and signed with a key derived from the master key.
public protocol BlobLinks: Sendable {
    /// A URL for `link.key` valid until `expiresAt` (stores cap it: 7 days).
    func url(for link: BlobLink) throws -> URL
}

/// What a download link grants, and how the download presents itself.
public struct BlobLink: Sendable, Equatable, Codable {
    public var key: String
    public var expiresAt: Date
    /// `Content-Disposition` file name.
    public var filename: String
    public var contentType: String
    /// Hex SHA-256 the bytes must have; a blob that no longer matches is not served.
    public var sha256: String?

    public init(key: String, expiresAt: Date, filename: String, contentType: String, sha256: String? = nil) {
        self.key = key
        self.expiresAt = expiresAt
        self.filename = filename
        self.contentType = contentType
        self.sha256 = sha256
    }

    /// The longest a link may live (S3's presigning limit, applied to every store).
    public static let maxLifetime: TimeInterval = 7 * 86_400
}
