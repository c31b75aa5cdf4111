import FiscalMixBlobs
import FiscalMixConnectors
import FiscalMixCore
import FiscalMixFiscal
import FiscalMixHTTPEdge
import FiscalMixIdentity
import FiscalMixJobs
import FiscalMixSecrets
import FiscalMixWebhooks
import Foundation
import Testing

/// Clients branch on error codes: docs/errors.md lists every code of every slice's error type,
/// and nothing else in its tables.
@Suite struct ErrorCatalogueTests {
    static let codesByType: [String: [String]] = [
        "FiscalMixError": FiscalMixError.Code.allCases.map(\.description),
        "RequestError": RequestErrorCode.allCases.map(\.description),
        "IdentityError": IdentityErrorCode.allCases.map(\.description),
        "FiscalError": FiscalErrorCode.allCases.map(\.description),
        "ConnectorsError": ConnectorsErrorCode.allCases.map(\.description),
        "WebhooksError": WebhooksErrorCode.allCases.map(\.description),
        "JobsError": JobsErrorCode.allCases.map(\.description),
        "BlobsError": BlobsErrorCode.allCases.map(\.description),
        "SecretsError": SecretsErrorCode.allCases.map(\.description),
    ]

    /// The codes each `## \`Type\`` section's table lists.
    static func documented() throws -> [String: [String]] {
        let text = try String(contentsOf: ArchitectureDocTests.root.appendingPathComponent("docs/errors.md"), encoding: .utf8)
        var sections: [String: [String]] = [:]
        var current: String?
        for line in text.split(separator: "\n") {
            if line.hasPrefix("## `") {
                current = line.split(separator: "`")[1].description
                sections[current!] = []
            } else if let section = current, line.hasPrefix("| `") {
                sections[section]!.append(line.split(separator: "`")[1].description)
            }
        }
        return sections
    }

    @Test func everyCodeIsDocumentedUnderItsType() throws {
        let documented = try Self.documented()
        #expect(Set(documented.keys) == Set(Self.codesByType.keys))
        for (type, codes) in Self.codesByType {
            #expect(Set(documented[type] ?? []) == Set(codes), "\(type)")
            #expect(codes.allSatisfy { $0.range(of: "^[a-z][a-z0-9_]*$", options: .regularExpression) != nil }, "\(type)")
        }
    }

    @Test func aSliceErrorReadsAsItsPublicCode() {
        let error: any ClientFacingError = IdentityError(.conflict, .companyExists, "This account already has a company with CNPJ x.")
        #expect(error.publicCode == "company_exists" && error.kind == .conflict)
        #expect("\(error)" == "conflict[company_exists]: This account already has a company with CNPJ x.")
    }
}
