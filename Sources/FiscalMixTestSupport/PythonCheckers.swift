public import Foundation

/// Independent checkers and peers from PyPI (`standardwebhooks`, `cryptography`, `moto[server]`
/// with its `botocore`, `azure-storage-blob`), in a virtualenv made once under
/// `.build/checkers-venv` (PyPI is reachable from CI and developer machines). A missing Python
/// fails the test that needs it — it is never skipped.
public actor PythonCheckers {
    public static let shared = PythonCheckers()
    static let packages = ["standardwebhooks>=1.0", "cryptography>=41", "moto[server]>=5", "azure-storage-blob>=12.19"]

    private var ready: URL?

    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// The venv's python, created on first use.
    public func python() throws -> URL {
        if let ready { return ready }
        let venv = Self.packageRoot.appendingPathComponent(".build/checkers-venv")
        let python = venv.appendingPathComponent("bin/python")
        // The marker names the package list, so adding a package installs it into an old venv.
        let marker = venv.appendingPathComponent(".installed-" + String(Self.packages.joined(separator: " ").hashValueStable, radix: 16))
        if !FileManager.default.fileExists(atPath: marker.path) {
            if !FileManager.default.fileExists(atPath: python.path) {
                try Self.run(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-m", "venv", venv.path])
            }
            try Self.run(python, ["-m", "pip", "install", "-q", "--disable-pip-version-check"] + Self.packages)
            FileManager.default.createFile(atPath: marker.path, contents: Data())
        }
        ready = python
        return python
    }

    /// Runs `script` with `input` on stdin; returns stdout (a non-zero exit throws with stderr).
    public func run(script: String, input: Data) throws -> String {
        let python = try python()
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("checker-\(UUID().uuidString).py")
        try script.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        return try Self.run(python, [file.path], input: input)
    }

    @discardableResult
    static func run(_ executable: URL, _ arguments: [String], input: Data? = nil) throws -> String {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let stdout = Pipe(), stderr = Pipe(), stdin = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = stdin
        try process.run()
        if let input { stdin.fileHandleForWriting.write(input) }
        try stdin.fileHandleForWriting.close()
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        let err = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CheckerFailure(
                description: "\(executable.lastPathComponent) \(arguments.joined(separator: " ")) exited \(process.terminationStatus): "
                    + String(decoding: err, as: UTF8.self))
        }
        return String(decoding: out, as: UTF8.self)
    }

    public struct CheckerFailure: Error, CustomStringConvertible {
        public let description: String
    }
}

private extension String {
    /// FNV-1a over the UTF-8 bytes: stable across runs, unlike `hashValue`.
    var hashValueStable: UInt64 {
        utf8.reduce(0xcbf2_9ce4_8422_2325 as UInt64) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
    }
}
