import FiscalMixApp
import Foundation

/// A `fiscalmix worker` child process on the test's database: "another machine" for crash and
/// concurrency tests. Needs the debug binary (`swift build` before `swift test`).
enum WorkerProcess {
    static var binary: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".build/debug/fiscalmix")
    }

    /// The binary, or an error that says how to build it: a test that needs it fails, never skips.
    static func requireBinary() throws -> URL {
        guard FileManager.default.isExecutableFile(atPath: binary.path) else { throw MissingBinary(path: binary.path) }
        return binary
    }

    struct MissingBinary: Error, CustomStringConvertible {
        let path: String
        var description: String { "this test runs the fiscalmix binary, and \(path) is missing: run `swift build` before `swift test`" }
    }

    static func launch(
        _ configuration: AppConfiguration, arguments: [String] = ["worker"], environment extra: [String: String] = [:],
        output: FileHandle? = nil
    ) throws -> Process {
        let process = Process()
        process.executableURL = try requireBinary()
        process.arguments = arguments
        // Never the test run's own stdout: a child outliving a crashed test process would hold
        // that pipe open and a CI reading it would wait for ever.
        process.standardOutput = output ?? FileHandle.nullDevice
        process.standardError = output ?? FileHandle.nullDevice
        var environment = ProcessInfo.processInfo.environment
        environment["FISCALMIX_DATABASE_URL"] = configuration.databaseURL
        environment["FISCALMIX_DATA_DIR"] = configuration.dataDirectory
        environment["FISCALMIX_MASTER_KEY"] = configuration.masterKeyBase64
        environment["FISCALMIX_LOG_LEVEL"] = "error"
        environment.merge(extra) { _, new in new }
        process.environment = environment
        try process.run()
        return process
    }

    /// Waits for the process to end without blocking a thread of the cooperative pool (which
    /// `waitUntilExit()` would, starving the tests running beside it).
    static func exit(of process: Process) async {
        while process.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
    }
}
