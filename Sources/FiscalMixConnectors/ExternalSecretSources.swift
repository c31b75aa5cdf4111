import FiscalMixCore
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a connector may take its secret from outside the vault — `env` and `file` references —
/// as the deployment allows it (docs/security.md). A tenant names a reference; only the operator
/// decides what may be named: a list of environment variable names and one directory. Nothing
/// else the server can read is reachable, whatever the reference says.
public struct ExternalSecretSources: Sendable {
    /// Environment variables a reference may name (`FISCALMIX_SECRET_REF_ENV`).
    public let environmentNames: Set<String>
    /// The directory a file reference must resolve into (`FISCALMIX_SECRET_REF_DIR`), as a real
    /// path (symlinks resolved).
    public let directory: String?
    /// Paths no reference may resolve to or into, whatever the directory: the data directory
    /// and the database files (opening and closing one from this process would drop SQLite's
    /// locks on it).
    let protectedPaths: [String]
    /// The largest secret file read.
    static let maxFileBytes = 16 * 1024

    /// No external references at all: the default.
    public static let none = ExternalSecretSources(checked: [], directory: nil, protectedPaths: [])

    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
    }

    /// `directory` must exist; `protectedPaths` are the data directory, the blob directory and
    /// the database file.
    /// Variables of FiscalMix's own configuration (`FISCALMIX_*`: the master keys, the database
    /// URL, object-store credentials) can never be named.
    public init(environmentNames: Set<String>, directory: String?, protectedPaths: [String]) throws(Invalid) {
        for name in environmentNames {
            guard Self.isVariableName(name) else { throw Invalid(description: "'\(name)' is not an environment variable name.") }
            guard !name.uppercased().hasPrefix("FISCALMIX_") else {
                throw Invalid(description: "\(name) is FiscalMix's own configuration and cannot be a secret reference.")
            }
        }
        self.environmentNames = environmentNames
        var protected: [String] = []
        for path in protectedPaths {
            let base = Self.realPath(path) ?? Self.lexicallyNormalized(path)
            protected += [base] + ["-wal", "-shm", "-journal"].map { base + $0 }
        }
        self.protectedPaths = protected
        if let directory {
            guard let real = Self.realPath(directory) else { throw Invalid(description: "The secret directory \(directory) does not exist.") }
            guard real != "/" else { throw Invalid(description: "The secret directory cannot be the root directory.") }
            if let overlap = protected.first(where: { Self.isInside(real, $0) || Self.isInside($0, real) }) {
                throw Invalid(description: "The secret directory \(directory) overlaps \(overlap), which holds FiscalMix's own data.")
            }
            self.directory = real
        } else {
            self.directory = nil
        }
    }

    private init(checked environmentNames: Set<String>, directory: String?, protectedPaths: [String]) {
        self.environmentNames = environmentNames
        self.directory = directory
        self.protectedPaths = protectedPaths
    }

    /// Refuses a reference the deployment does not allow, when it is created.
    func check(_ provider: SecretRef.Provider, _ ref: String) throws {
        switch provider {
        case .db:
            return
        case .env:
            guard Self.isVariableName(ref) else {
                throw FiscalMixError.validation("auth.secretRef.ref", "An environment variable name: letters, digits and underscores.")
            }
            guard environmentNames.contains(ref) else {
                throw ConnectorsError(
                    .unprocessable, .secretRefNotAllowed, "This deployment does not let connectors read the environment variable \(ref).",
                    details: ["field": "auth.secretRef.ref"])
            }
        case .file:
            guard ref.hasPrefix("/"), ref.utf8.count <= 1024, !ref.contains("\0") else {
                throw FiscalMixError.validation("auth.secretRef.ref", "An absolute file path.")
            }
            _ = try allowedFile(ref)
        }
    }

    /// The secret a reference names, checked again at use (the configuration may have
    /// changed since the reference was made).
    func read(_ provider: SecretRef.Provider, _ ref: String) throws -> String? {
        switch provider {
        case .db:
            return nil
        case .env:
            try check(.env, ref)
            guard let value = ProcessInfo.processInfo.environment[ref], !value.isEmpty else {
                throw ConnectorsError(.unprocessable, .secretRefUnavailable, "The environment variable \(ref) is not set.")
            }
            return value
        case .file:
            let path = try allowedFile(ref)
            return try Self.readSmallFile(path)
        }
    }

    /// The real path of an allowed file reference: inside the directory once symlinks and `..`
    /// are resolved, a regular file, and none of FiscalMix's own files (by path and by inode, so
    /// a hard link to the database is refused too).
    private func allowedFile(_ ref: String) throws(ConnectorsError) -> String {
        let refused = ConnectorsError(
            .unprocessable, .secretRefNotAllowed, "This deployment does not let connectors read that file.", details: ["field": "auth.secretRef.ref"])
        guard let directory else { throw refused }
        guard let real = Self.realPath(ref) else {
            // A missing file is not reported as missing: that would let a tenant probe the disk.
            throw refused
        }
        guard Self.isInside(real, directory), real != directory else { throw refused }
        guard !protectedPaths.contains(where: { Self.isInside(real, $0) }) else { throw refused }
        var target = stat()
        guard stat(real, &target) == 0, (target.st_mode & S_IFMT) == S_IFREG else { throw refused }
        for path in protectedPaths {
            var other = stat()
            if stat(path, &other) == 0, other.st_dev == target.st_dev, other.st_ino == target.st_ino { throw refused }
        }
        return real
    }

    private static func readSmallFile(_ path: String) throws(ConnectorsError) -> String {
        let unavailable = ConnectorsError(.unprocessable, .secretRefUnavailable, "The secret file cannot be read.")
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
        guard fd >= 0 else { throw unavailable }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: maxFileBytes + 1)
        var count = 0
        while count < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + count, $0.count - count) }
            if n < 0 { throw unavailable }
            if n == 0 { break }
            count += n
        }
        guard count <= maxFileBytes else {
            throw ConnectorsError(.unprocessable, .secretRefUnavailable, "The secret file is larger than 16 KiB.")
        }
        return String(decoding: bytes[..<count], as: UTF8.self).trimmingCharacters(in: .newlines)
    }

    static func isVariableName(_ name: String) -> Bool {
        guard let first = name.utf8.first, name.utf8.count <= 255, !(48...57).contains(first) else { return false }
        return name.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || $0 == 95 }
    }

    public static func isInside(_ path: String, _ directory: String) -> Bool {
        path == directory || path.hasPrefix(directory.hasSuffix("/") ? directory : directory + "/")
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// An absolute form of a path that does not exist (yet): `.` and `..` removed.
    public static func lexicallyNormalized(_ path: String) -> String {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        var parts: [Substring] = []
        for part in absolute.split(separator: "/") where part != "." {
            if part == ".." { _ = parts.popLast() } else { parts.append(part) }
        }
        return "/" + parts.joined(separator: "/")
    }
}
