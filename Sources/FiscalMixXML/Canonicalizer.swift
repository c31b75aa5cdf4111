/// Canonical XML 1.0 (inclusive, without comments — `http://www.w3.org/TR/2001/REC-xml-c14n-20010315`)
/// of one element and its descendants, as XMLDSig computes it for a same-document reference.
///
/// The element is rendered with every namespace in scope at its position (the inherited default
/// namespace included: a signed `infEvento` canonicalises as `<infEvento xmlns="http://www.portalfiscal.inf.br/nfe" Id=…>`),
/// attributes sorted, empty elements expanded and the C14N escapes applied.
public enum Canonicalizer {
    /// - Parameters:
    ///   - inScope: namespace declarations of the element's ancestors, outermost first.
    ///   - excluding: elements left out with their subtree (the enveloped-signature transform).
    public static func canonicalize(
        _ element: XElement, inScope: [XNamespaceDeclaration] = [],
        excluding: (XElement) -> Bool = { _ in false }
    ) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(4096)
        var inherited: [String: String] = [:]
        for declaration in inScope { inherited[declaration.prefix ?? ""] = declaration.uri }
        render(element, visible: inherited, rendered: ["": ""], into: &output, excluding: excluding)
        return output
    }

    /// Canonicalises the element whose `attribute` is `id`, with the namespaces its ancestors declare.
    ///
    /// - Parameter defaultNamespaceOnly: inherit only the default namespace. Fiscal documents are
    ///   signed detached, before they are wrapped in `envEvento`/`nfeProc` and a SOAP envelope, so a
    ///   verifier must not let the envelope's prefixed declarations into the digest.
    public static func canonicalize(
        descendantWithId id: String, attribute: String = "Id", in root: XElement,
        defaultNamespaceOnly: Bool = false,
        excluding: (XElement) -> Bool = { _ in false }
    ) -> [UInt8]? {
        var ancestors: [XNamespaceDeclaration] = []
        guard let target = find(id, attribute, root, &ancestors) else { return nil }
        let inherited = defaultNamespaceOnly ? ancestors.filter { $0.prefix == nil } : ancestors
        return canonicalize(target, inScope: inherited, excluding: excluding)
    }

    private static func find(_ id: String, _ attribute: String, _ element: XElement, _ ancestors: inout [XNamespaceDeclaration]) -> XElement? {
        if element.attribute(attribute) == id { return element }
        let mark = ancestors.count
        ancestors.append(contentsOf: element.namespaceDeclarations)
        for child in element.elements {
            if let found = find(id, attribute, child, &ancestors) { return found }
        }
        ancestors.removeSubrange(mark...)
        return nil
    }

    /// - Parameters:
    ///   - visible: prefix → URI in scope for this element's parent ("" is the default namespace).
    ///   - rendered: prefix → URI already output by the nearest rendered ancestor.
    private static func render(
        _ element: XElement, visible: [String: String], rendered: [String: String],
        into output: inout [UInt8], excluding: (XElement) -> Bool
    ) {
        var visible = visible
        for declaration in element.namespaceDeclarations { visible[declaration.prefix ?? ""] = declaration.uri }
        var rendered = rendered
        var namespaceOutput: [(String, String)] = []
        for (prefix, uri) in visible where prefix != "xml" && rendered[prefix] != uri {
            // An empty default is only worth writing when an ancestor output a non-empty one.
            if prefix.isEmpty && uri.isEmpty && (rendered[""] ?? "").isEmpty { continue }
            namespaceOutput.append((prefix, uri))
            rendered[prefix] = uri
        }
        namespaceOutput.sort { $0.0 < $1.0 }
        let attributes = element.attributes.sorted {
            ($0.namespace ?? "", $0.localName) < ($1.namespace ?? "", $1.localName)
        }

        output.append(UInt8(ascii: "<"))
        output.append(contentsOf: element.qualifiedName.utf8)
        for (prefix, uri) in namespaceOutput {
            output.append(contentsOf: prefix.isEmpty ? Array(" xmlns=\"".utf8) : Array(" xmlns:\(prefix)=\"".utf8))
            escapeAttribute(uri, into: &output)
            output.append(UInt8(ascii: "\""))
        }
        for attribute in attributes {
            output.append(UInt8(ascii: " "))
            output.append(contentsOf: attribute.qualifiedName.utf8)
            output.append(contentsOf: "=\"".utf8)
            escapeAttribute(attribute.value, into: &output)
            output.append(UInt8(ascii: "\""))
        }
        output.append(UInt8(ascii: ">"))
        for item in element.content {
            switch item {
            case .text(let text):
                escapeText(text, into: &output)
            case .element(let child):
                if !excluding(child) { render(child, visible: visible, rendered: rendered, into: &output, excluding: excluding) }
            }
        }
        output.append(contentsOf: "</".utf8)
        output.append(contentsOf: element.qualifiedName.utf8)
        output.append(UInt8(ascii: ">"))
    }

    public static func escapeText(_ text: String, into output: inout [UInt8]) {
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "&"): output.append(contentsOf: "&amp;".utf8)
            case UInt8(ascii: "<"): output.append(contentsOf: "&lt;".utf8)
            case UInt8(ascii: ">"): output.append(contentsOf: "&gt;".utf8)
            case 0x0D: output.append(contentsOf: "&#xD;".utf8)
            default: output.append(byte)
            }
        }
    }

    public static func escapeAttribute(_ text: String, into output: inout [UInt8]) {
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "&"): output.append(contentsOf: "&amp;".utf8)
            case UInt8(ascii: "<"): output.append(contentsOf: "&lt;".utf8)
            case UInt8(ascii: "\""): output.append(contentsOf: "&quot;".utf8)
            case 0x09: output.append(contentsOf: "&#x9;".utf8)
            case 0x0A: output.append(contentsOf: "&#xA;".utf8)
            case 0x0D: output.append(contentsOf: "&#xD;".utf8)
            default: output.append(byte)
            }
        }
    }
}
