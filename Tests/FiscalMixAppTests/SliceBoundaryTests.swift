import Foundation
import Testing

/// Only a slice's own code touches its tables: no feature slice (nor the shared HTTP edge) names
/// another target's repository or SQL statement type. The composition root and the JSON API may
/// wire infrastructure; the slices talk through services and ports.
@Suite struct SliceBoundaryTests {
    static let slices = [
        "FiscalMixBlobs", "FiscalMixConnectors", "FiscalMixEventLog", "FiscalMixFiscal", "FiscalMixHTTPEdge", "FiscalMixIdentity",
        "FiscalMixJobs", "FiscalMixVault", "FiscalMixWebhooks",
    ]

    @Test func noSliceNamesAnotherTargetsRepository() throws {
        let sources = ArchitectureDocTests.root.appendingPathComponent("Sources")
        let targets = try FileManager.default.contentsOfDirectory(atPath: sources.path)
        var owner: [String: String] = [:]
        var texts: [String: [(file: String, text: String)]] = [:]
        let declaration = try Regex(#"\b(?:struct|enum|class) (\w+(?:Repository|Statement))\b"#)
        for target in targets {
            guard let files = FileManager.default.enumerator(atPath: sources.appendingPathComponent(target).path) else { continue }
            for case let file as String in files where file.hasSuffix(".swift") {
                let text = try String(contentsOf: sources.appendingPathComponent(target).appendingPathComponent(file), encoding: .utf8)
                texts[target, default: []].append((file, text))
                for match in text.matches(of: declaration) {
                    if let name = match.output[1].substring { owner[String(name)] = target }
                }
            }
        }
        #expect(owner["JobRepository"] == "FiscalMixJobs" && owner["CompanyRepository"] == "FiscalMixIdentity")
        var crossings: [String] = []
        for slice in Self.slices {
            for (file, text) in texts[slice] ?? [] {
                for (name, home) in owner where home != slice {
                    if text.contains(try Regex("\\b\(name)\\b")) { crossings.append("\(slice)/\(file) uses \(home)'s \(name)") }
                }
            }
        }
        #expect(crossings.isEmpty, "\(crossings.joined(separator: "\n"))")
    }

    /// Imports are internal by default (`InternalImportsByDefault`): a slice that exposed SQLKit
    /// or a driver in its public API would have to say `public import`, and only the kernel may.
    @Test func onlyTheKernelReexportsTheDatabaseLibraries() throws {
        let sources = ArchitectureDocTests.root.appendingPathComponent("Sources")
        var leaks: [String] = []
        for target in try FileManager.default.contentsOfDirectory(atPath: sources.path) where target != "FiscalMixDatabase" {
            guard let files = FileManager.default.enumerator(atPath: sources.appendingPathComponent(target).path) else { continue }
            for case let file as String in files where file.hasSuffix(".swift") {
                let text = try String(contentsOf: sources.appendingPathComponent(target).appendingPathComponent(file), encoding: .utf8)
                for module in ["SQLKit", "SQLiteKit", "SQLiteNIO", "PostgresKit", "PostgresNIO"] where text.contains("public import \(module)\n") {
                    leaks.append("\(target)/\(file) publicly imports \(module)")
                }
            }
        }
        #expect(leaks.isEmpty, "\(leaks.joined(separator: "\n"))")
    }
}
