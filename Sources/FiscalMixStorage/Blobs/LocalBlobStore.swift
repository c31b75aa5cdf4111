import FiscalMixCore
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
        let target = try path(key)
        let folder = (target as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let temporary = folder + "/.tmp-" + UUID().uuidString
        let fd = open(temporary, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw POSIXFailure(call: "open", path: temporary) }
        var written = 0
        let ok = bytes.withUnsafeBytes { buffer -> Bool in
            while written < buffer.count {
                let n = write(fd, buffer.baseAddress! + written, buffer.count - written)
                if n < 0 { if errno == EINTR { continue }; return false }
                written += n
            }
            return !flush || fsync(fd) == 0
        }
        close(fd)
        guard ok, rename(temporary, target) == 0 else {
            let failure = POSIXFailure(call: ok ? "rename" : "write", path: target)
            unlink(temporary)
            throw failure
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
