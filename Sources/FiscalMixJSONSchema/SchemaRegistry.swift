public import FiscalMixJSON

/// Schema documents by absolute URI, for `$ref`s that leave the schema being compiled: the
/// bundled 2020-12 meta-schemas, and whatever the caller registers (a suite's `remotes/`, an
/// account's shared schemas). Nothing is ever fetched over the network.
public struct SchemaRegistry: Sendable {
    var documents: [String: JSON] = [:]

    public init(includingMetaSchemas: Bool = true) {
        guard includingMetaSchemas else { return }
        for (uri, text) in Self.metaSchemaDocuments {
            // The texts are fixed at build time; a failure here is a packaging bug.
            documents[uri] = try! JSON(parsing: text)
        }
    }

    /// Registers `document` under `uri` (its fragment, if any, is ignored).
    public mutating func register(_ document: JSON, at uri: String) {
        documents[URIReference(uri).withoutFragment.description] = document
    }

    func document(at uri: String) -> JSON? { documents[uri] }
}
