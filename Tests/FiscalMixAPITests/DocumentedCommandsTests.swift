import Foundation
import Testing

/// The commands README.md and docs/ show run as written, against the built binary, in one shell
/// session in a fresh folder: the walk-through from nothing to a manifested NF-e, the naming
/// example, configuration, key rotation and the SEFAZ stand-in. Only ports change (free ones for
/// 8080 and 8443, the server's through `FISCALMIX_PORT`), and `swift run fiscalmix` is the binary
/// `swift build` made.
///
/// Not run here: the two set-up commands (`swift run fiscalmix` serving in the foreground, and
/// `swift test`, which is this run), the PostgreSQL examples (they name a server of the reader's),
/// and the minutes-long fuzzing of docs/security.md.
@Suite struct DocumentedCommandsTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The ```sh blocks of a document, in order.
    static func shellBlocks(_ document: String) throws -> [String] {
        let text = try String(contentsOf: root.appendingPathComponent(document), encoding: .utf8)
        var blocks: [String] = [], current: [Substring]?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if current == nil, line == "```sh" {
                current = []
            } else if current != nil, line == "```" {
                blocks.append(current!.joined(separator: "\n"))
                current = nil
            } else {
                current?.append(line)
            }
        }
        return blocks
    }

    static func freePort() throws -> Int {
        let socket = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        try withUnsafeMutablePointer(to: &address) { pointer in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                guard bind(socket, $0, length) == 0, getsockname(socket, $0, &length) == 0 else { throw POSIXError(.EADDRINUSE) }
            }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    @Test(.timeLimit(.minutes(5))) func theReadmeAndDocsCommandsRunAsWritten() async throws {
        let binary = try WorkerProcess.requireBinary()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fiscalmix-docs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let (api, peer, secondPeer) = (try Self.freePort(), try Self.freePort(), try Self.freePort())

        let readme = try Self.shellBlocks("README.md")
        let walkThrough = try #require(readme.first { $0.contains("sefaz-sim run") && $0.contains("/manifest") })
        func ports(_ block: String, peerPort: Int) -> String {
            block.replacingOccurrences(of: "8080", with: String(api)).replacingOccurrences(of: "8443", with: String(peerPort))
        }
        var script = """
            set -euo pipefail
            swift() { if [ "$1" = run ] && [ "$2" = fiscalmix ]; then shift 2; "$FISCALMIX_BIN" "$@"; else return 64; fi; }
            fiscalmix() { "$FISCALMIX_BIN" "$@"; }
            stop_background() { for job in $(jobs -p); do pkill -TERM -P "$job" 2>/dev/null || true; kill "$job" 2>/dev/null || true; done; }
            trap stop_background EXIT
            export FISCALMIX_MASTER_KEY="$(openssl rand -base64 32)"
            echo '== README.md walk-through'

            """
        script += ports(walkThrough, peerPort: peer) + "\n"
        for document in ["docs/api-conventions.md", "docs/configuration.md", "docs/operations.md", "docs/sefaz.md"] {
            for block in try Self.shellBlocks(document) {
                script += "echo '== \(document)'\n" + ports(block, peerPort: secondPeer) + "\n"
            }
        }
        script += "sleep 2\necho '== done'\n"

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", script]
        process.currentDirectoryURL = folder
        process.environment = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": folder.path, "FISCALMIX_BIN": binary.path,
            "FISCALMIX_LOG_LEVEL": "warning", "FISCALMIX_PORT": String(api),
        ]
        let log = folder.appendingPathComponent("session.log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        let deadline = Date().addingTimeInterval(240)
        while process.isRunning, Date() < deadline { try await Task.sleep(for: .milliseconds(200)) }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        #expect(process.terminationStatus == 0, "\(output.suffix(4000))")
        #expect(output.contains("== done"), "\(output.suffix(4000))")

        // What each step promised.
        #expect(output.contains(#""result":"registered""#), "the ciência was registered")
        let xml = (try? String(contentsOf: folder.appendingPathComponent("nfe.xml"), encoding: .utf8)) ?? ""
        #expect(xml.hasPrefix("<") && xml.contains("11222333000181"), "nfe.xml holds the note: \(xml.prefix(200))")
        #expect(output.contains(#""code":"unknown_parameter""#), "the misspelled filter is refused")
        #expect(output.contains("FISCALMIX_PORT=9000  # environment"), "fiscalmix config prints the setting")
        #expect(output.contains("SEFAZ peer listening on https://127.0.0.1:\(secondPeer)"), "docs/sefaz.md's stand-in serves")
    }
}
