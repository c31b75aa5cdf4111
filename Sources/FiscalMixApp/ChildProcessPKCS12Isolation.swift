public import FiscalMixFiscal
import FiscalMixHTTPEdge
public import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Opens an uploaded PKCS#12 first in `fiscalmix inspect-pkcs12` (see `PKCS12Isolation`): exit 0
/// or 3 means BoringSSL opened or refused the file and lived; a signal, another code or no answer
/// within the timeout means the file would have stopped the server.
public struct ChildProcessPKCS12Isolation: PKCS12Isolation {
    public let executable: URL
    public var timeout: Duration = .seconds(15)

    public init(executable: URL) { self.executable = executable }

    public func survives(pfx: [UInt8], password: String) async throws -> Bool {
        let process = Process()
        process.executableURL = executable
        process.arguments = ["inspect-pkcs12"]
        process.environment = ["FISCALMIX_LOG_LEVEL": "critical"]
        let input = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        // A child that dies before reading all its input must not take the server with it: with
        // SIGPIPE ignored, writing to its closed pipe fails with EPIPE instead (servers ignore it
        // anyway; NIO only does so per socket).
        _ = signal(SIGPIPE, SIG_IGN)
        try process.run()
        do {
            try input.fileHandleForWriting.write(contentsOf: A1Certificate.probeInput(pfx: pfx, password: password))
            try input.fileHandleForWriting.close()
        } catch {
            try? input.fileHandleForWriting.close()  // the child is gone; how it ended says why
        }
        let deadline = ContinuousClock.now.advanced(by: timeout)
        // Polled, not waitUntilExit(): that would hold a thread of the cooperative pool.
        while process.isRunning {
            if ContinuousClock.now >= deadline {
                process.terminate()
                return false
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        return process.terminationReason == .exit && (process.terminationStatus == 0 || process.terminationStatus == 3)
    }

    /// This process's own executable, when it is the `fiscalmix` command (not a test runner).
    public static var ownExecutable: URL? {
        let path = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments.first ?? ""
        return URL(fileURLWithPath: path).lastPathComponent == "fiscalmix" ? URL(fileURLWithPath: path) : nil
    }
}
