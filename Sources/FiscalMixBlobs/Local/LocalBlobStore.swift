public import FiscalMixCore
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Blobs as files under one folder (the embedded default, `FISCALMIX_BLOB_DIR`). A write goes to
/// a temporary file in the same folder, is flushed to disk, then renamed over the key: a reader
/// sees the old bytes or the new ones, never half a file, and a crash leaves at most a stray
/// `.tmp-*` file.
public struct LocalBlobStore: BlobStore {
    public let root: String

    public init(root: String) { self.root = root }

    public struct InvalidKey: Error, CustomStringConvertible {
        public let key: String
        public var description: String { "invalid blob key '\(key)'" }
    }

    func path(_ key: String) throws -> String {
        guard BlobKey.isValid(key) else { throw InvalidKey(key: key) }
        return root + "/" + key
    }

    public func put(_ key: String, _ bytes: [UInt8]) async throws {
        try writeFile(key, bytes, flush: true)
    }

    /// Writes every file, then flushes the filesystem once (`syncfs`) before returning: a sync
    /// batch of 50 documents costs one flush instead of 50 (measured: fsync per file held the
    /// end-to-end sync to a few hundred documents per second).
    public func putAll(_ blobs: [(key: String, bytes: [UInt8])]) async throws {
        #if os(Linux)
        for blob in blobs { try writeFile(blob.key, blob.bytes, flush: false) }
        guard !blobs.isEmpty else { return }
        let fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw POSIXFailure(call: "open", path: root) }
        defer { close(fd) }
        guard fileSystemSync(fd) == 0 else { throw POSIXFailure(call: "syncfs", path: root) }
        #else
        for blob in blobs { try writeFile(blob.key, blob.bytes, flush: true) }
        #endif
    }

    private func writeFile(_ key: String, _ bytes: [UInt8], flush: Bool) throws {
        let file = try TemporaryFile(for: try path(key))
        do {
            try file.append(bytes)
            try file.commit(flush: flush)
        } catch {
            file.discard()
            throw error
        }
    }

    /// Chunk by chunk into the temporary file, flushed and renamed over the key at the end; a
    /// source that fails leaves the key as it was.
    public func put(_ key: String, from source: any BlobReader) async throws {
        let file = try TemporaryFile(for: try path(key))
        do {
            while true {
                let chunk = try await source.read(upTo: 1 << 20)
                if chunk.isEmpty { break }
                try file.append(chunk)
            }
            try file.commit(flush: true)
        } catch {
            file.discard()
            throw error
        }
    }

    public func get(_ key: String) async throws -> [UInt8]? {
        let target = try path(key)
        guard let handle = FileHandle(forReadingAtPath: target) else { return nil }
        defer { try? handle.close() }
        return Array(try handle.readToEnd() ?? Data())
    }

    /// An open file: a replacement of the key (a rename over it) leaves this reader on the old file.
    public func reader(_ key: String) async throws -> (any BlobReader)? {
        let target = try path(key)
        guard let handle = FileHandle(forReadingAtPath: target) else { return nil }
        return FileBlobReader(handle: handle)
    }

    public func delete(_ key: String) async throws {
        let target = try path(key)
        if unlink(target) != 0, errno != ENOENT { throw POSIXFailure(call: "unlink", path: target) }
    }
}

/// Reads a local blob file in chunks. The reads block briefly; blob files are local and a chunk is
/// at most what the caller asks for.
final class FileBlobReader: BlobReader {
    private let handle: Mutex<FileHandle?>

    init(handle: FileHandle) { self.handle = Mutex(handle) }

    func read(upTo count: Int) async throws -> [UInt8] {
        try handle.withLock { handle in
            guard let handle else { return [] }
            return Array(try handle.read(upToCount: count) ?? Data())
        }
    }

    func close() async {
        handle.withLock { handle in
            try? handle?.close()
            handle = nil
        }
    }
}

/// A new file beside its target, renamed over it once complete.
private final class TemporaryFile {
    let target: String
    let path: String
    /// nil once closed.
    private var fd: Int32?

    init(for target: String) throws {
        let folder = (target as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        self.target = target
        path = folder + "/.tmp-" + UUID().uuidString
        let fd = open(path, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw POSIXFailure(call: "open", path: path) }
        self.fd = fd
    }

    func append(_ bytes: [UInt8]) throws {
        guard let fd else { throw POSIXFailure(call: "write", path: target) }
        try bytes.withUnsafeBytes { buffer in
            var written = 0
            while written < buffer.count {
                let n = write(fd, buffer.baseAddress! + written, buffer.count - written)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw POSIXFailure(call: "write", path: target)
                }
                written += n
            }
        }
    }

    /// Flushes (when asked), closes and renames over the target.
    func commit(flush: Bool) throws {
        guard let fd else { throw POSIXFailure(call: "close", path: target) }
        if flush, fsync(fd) != 0 { throw POSIXFailure(call: "fsync", path: target) }
        close(fd)
        self.fd = nil
        guard rename(path, target) == 0 else { throw POSIXFailure(call: "rename", path: target) }
    }

    /// Closes (if still open) and removes the file, after a failure.
    func discard() {
        if let fd { close(fd) }
        fd = nil
        unlink(path)
    }
}

#if os(Linux)
/// glibc's syncfs(2): flushes the filesystem holding `fd` (not exported by Swift's Glibc module).
@_silgen_name("syncfs") private func fileSystemSync(_ fd: Int32) -> Int32
#endif

struct POSIXFailure: Error, CustomStringConvertible {
    let call: String
    let path: String
    let code = errno
    var description: String { "\(call) \(path): \(String(cString: strerror(code)))" }
}
