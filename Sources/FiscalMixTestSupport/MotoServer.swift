public import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A local S3 (PyPI `moto[server]`, the `moto_server` process) on a loopback port, for the S3
/// blob store's tests: it speaks S3's REST API (objects, ListObjectsV2, presigned GETs). It does
/// not verify signatures by default; the tests check those against botocore instead.
public struct MotoServer: Sendable {
    public let port: Int
    public var endpoint: URL { URL(string: "http://127.0.0.1:\(port)")! }
    /// moto accepts any key pair; these are AWS's documented example credentials.
    public static let accessKeyId = "AKIAIOSFODNN7EXAMPLE"
    public static let secretAccessKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

    public static func run<T: Sendable>(_ body: @Sendable (MotoServer) async throws -> T) async throws -> T {
        let python = try await PythonCheckers.shared.python()
        // moto binds port 0 and names the port it got. A port picked here and handed over would
        // leave a window in which another test's server (or an outgoing connection) takes it, and
        // this test would then talk to a server that is not its own and dies with its owner.
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("moto-\(UUID().uuidString).log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let output = try FileHandle(forWritingTo: log)
        let process = Process()
        process.executableURL = python.deletingLastPathComponent().appendingPathComponent("moto_server")
        process.arguments = ["-H", "127.0.0.1", "-p", "0"]
        process.standardOutput = FileHandle.nullDevice
        // A file, not a pipe: werkzeug logs every request there, and an unread pipe would fill
        // and stall the server.
        process.standardError = output
        try process.run()
        defer {
            // SIGKILL: the test process ignores SIGTERM (service lifecycle's handlers) and a
            // child inherits ignored signals, so moto would never see a terminate().
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            try? output.close()
            try? FileManager.default.removeItem(at: log)
        }
        // moto takes a second or two to import; it is listening once it names its address.
        let deadline = Date().addingTimeInterval(30)
        while true {
            if let port = boundPort(in: (try? Data(contentsOf: log)) ?? Data()) {
                return try await body(MotoServer(port: port))
            }
            guard process.isRunning, Date() < deadline else {
                throw PythonCheckers.CheckerFailure(
                    description: "moto_server did not start: \(String(decoding: (try? Data(contentsOf: log)) ?? Data(), as: UTF8.self).suffix(500))")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// The port in werkzeug's start-up line, ` * Running on http://127.0.0.1:PORT`.
    static func boundPort(in log: Data) -> Int? {
        let text = String(decoding: log, as: UTF8.self)
        guard let start = text.range(of: "Running on http://127.0.0.1:")?.upperBound else { return nil }
        let digits = text[start...].prefix { $0.isASCII && $0.isNumber }
        // The line may be half written: only a number followed by the line's end counts.
        guard !digits.isEmpty, text[digits.endIndex...].first?.isNewline == true else { return nil }
        return Int(digits)
    }
}
