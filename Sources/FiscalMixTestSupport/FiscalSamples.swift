import FiscalMixConformance
import FiscalMixSefazPeer
public import Foundation

/// The real fiscal samples (`fiscal/samples` of the outside test data, see its README), found as
/// `ConformanceSuites` finds every outside set; tests that read them carry `.requires(.fiscalSamples)`.
public enum FiscalSamples {
    public static var directory: URL {
        ConformanceSuites.location(.fiscalSamples) ?? URL(fileURLWithPath: "/nonexistent/fiscal-samples")
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
        try SefazFeed.distributionPayloads(in: url("xml/spednfe_distdfe_decoded"))
    }
}
