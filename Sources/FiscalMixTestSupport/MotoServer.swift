import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A local S3 (PyPI `moto[server]`, the `moto_server` process) on a free loopback port, for the
/// S3 blob store's tests: it speaks S3's REST API (objects, ListObjectsV2, presigned GETs). It
/// does not verify signatures by default; the tests check those against botocore instead.
public struct MotoServer: Sendable {
    public let port: Int
    public var endpoint: URL { URL(string: "http://127.0.0.1:\(port)")! }
    /// moto accepts any key pair; these are AWS's documented example credentials.
    public static let accessKeyId = "AKIAIOSFODNN7EXAMPLE"
    public static let secretAccessKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

    public static func run<T: Sendable>(_ body: @Sendable (MotoServer) async throws -> T) async throws -> T {
        let python = try await PythonCheckers.shared.python()
        let port = try freeLoopbackPort()
        let process = Process()
        process.executableURL = python.deletingLastPathComponent().appendingPathComponent("moto_server")
        process.arguments = ["-H", "127.0.0.1", "-p", String(port)]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            // SIGKILL: the test process ignores SIGTERM (service lifecycle's handlers) and a
            // child inherits ignored signals, so moto would never see a terminate().
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        // moto takes a second or two to import; wait until it accepts connections.
        let deadline = Date().addingTimeInterval(30)
        while !canConnect(port: port) {
            guard process.isRunning, Date() < deadline else {
                throw PythonCheckers.CheckerFailure(description: "moto_server did not start on port \(port)")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        return try await body(MotoServer(port: port))
    }

    static func freeLoopbackPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard bound == 0, named == 0 else { throw PythonCheckers.CheckerFailure(description: "no free loopback port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func canConnect(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = loopback(port: port)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return address
    }
}
