import Foundation

/// The real fiscal samples and fake certificates in `../shared/fiscal/samples` (see its README).
/// CI clones elsewhere and points `FISCALMIX_CONFORMANCE_DIR` at `shared/conformance`; the samples
/// sit beside it. Missing samples make the tests that read them fail, never skip.
public enum FiscalSamples {
    public static var directory: URL {
        let environment = ProcessInfo.processInfo.environment
        if let dir = environment["FISCALMIX_FISCAL_SAMPLES_DIR"] { return URL(fileURLWithPath: dir) }
        if let dir = environment["FISCALMIX_CONFORMANCE_DIR"] {
            return URL(fileURLWithPath: dir).deletingLastPathComponent().appendingPathComponent("fiscal/samples")
        }
        // Sources/FiscalMixTestSupport/FiscalSamples.swift → repository root → ../shared
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("shared/fiscal/samples")
    }

    public static func url(_ relative: String) -> URL { directory.appendingPathComponent(relative) }

    public static func bytes(_ relative: String) throws -> [UInt8] { Array(try Data(contentsOf: url(relative))) }

    /// The files of a sample folder, sorted by name.
    public static func files(in relative: String) throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: url(relative), includingPropertiesForKeys: nil)
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    /// The real distribution payloads of the sped-nfe capture (`{NSU}_{schema}.xml`), in NSU order,
    /// with the schema name each arrived under.
    public static func distributionPayloads() throws -> [(schema: String, xml: [UInt8])] {
        try files(in: "xml/spednfe_distdfe_decoded").map { file in
            let parts = file.deletingPathExtension().lastPathComponent.split(separator: "_", maxSplits: 1)
            return (String(parts[1]) + ".xsd", Array(try Data(contentsOf: file)))
        }
    }
}
