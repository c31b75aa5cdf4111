/// One element of a parsed XML document: immutable once the reader has built it, so it can be
/// shared between tasks.
///
/// Names are kept as written (`prefix:local`) and resolved (`namespace` + `localName`); the
/// namespace declarations written on the element are kept in document order because the
/// canonicalizer needs them.
public final class XElement: Sendable {
    public let localName: String
    public let prefix: String?
    /// The resolved namespace URI, or nil when the element is in no namespace.
    public let namespace: String?
    /// Attributes other than namespace declarations, in document order.
    public let attributes: [XAttribute]
    /// `xmlns` / `xmlns:p` declarations written on this element (prefix nil is the default).
    public let namespaceDeclarations: [XNamespaceDeclaration]
    public let content: [XContent]

    public init(
        localName: String, prefix: String? = nil, namespace: String?, attributes: [XAttribute] = [],
        namespaceDeclarations: [XNamespaceDeclaration] = [], content: [XContent] = []
    ) {
        self.localName = localName
        self.prefix = prefix
        self.namespace = namespace
        self.attributes = attributes
        self.namespaceDeclarations = namespaceDeclarations
        self.content = content
    }

    /// The name as written in the document.
    public var qualifiedName: String { prefix.map { "\($0):\(localName)" } ?? localName }

    /// Child elements, in order.
    public var elements: some Sequence<XElement> {
        content.lazy.compactMap { if case .element(let element) = $0 { element } else { nil } }
    }

    /// The first child element with this local name (any namespace: fiscal payloads use one).
    public func child(_ localName: String) -> XElement? {
        for case .element(let element) in content where element.localName == localName { return element }
        return nil
    }

    /// Every child element with this local name.
    public func children(_ localName: String) -> [XElement] {
        content.compactMap { if case .element(let element) = $0, element.localName == localName { element } else { nil } }
    }

    /// Follows a path of child names from this element.
    public func descendant(_ path: String...) -> XElement? { descendant(path) }

    public func descendant(_ path: [String]) -> XElement? {
        var current: XElement? = self
        for name in path { current = current?.child(name) }
        return current
    }

    /// The text of a child path, or nil when the path is missing.
    public func text(_ path: String...) -> String? { descendant(path)?.text }

    /// All text directly and indirectly inside this element, concatenated.
    public var text: String {
        var result = ""
        appendText(to: &result)
        return result
    }

    private func appendText(to result: inout String) {
        for item in content {
            switch item {
            case .text(let text): result += text
            case .element(let element): element.appendText(to: &result)
            }
        }
    }

    public func attribute(_ localName: String) -> String? {
        attributes.first { $0.localName == localName && $0.namespace == nil }?.value
    }

    /// Depth-first search for the first element with this local name, this element included.
    public func first(_ localName: String) -> XElement? {
        if self.localName == localName { return self }
        for element in elements {
            if let found = element.first(localName) { return found }
        }
        return nil
    }
}

public enum XContent: Sendable {
    case element(XElement)
    case text(String)
}

public struct XAttribute: Sendable, Equatable {
    public let localName: String
    public let prefix: String?
    public let namespace: String?
    public let value: String

    public init(localName: String, prefix: String? = nil, namespace: String? = nil, value: String) {
        self.localName = localName
        self.prefix = prefix
        self.namespace = namespace
        self.value = value
    }

    public var qualifiedName: String { prefix.map { "\($0):\(localName)" } ?? localName }
}

public struct XNamespaceDeclaration: Sendable, Equatable {
    /// nil for the default namespace (`xmlns="…"`).
    public let prefix: String?
    /// Empty when the declaration undeclares the default namespace (`xmlns=""`).
    public let uri: String

    public init(prefix: String?, uri: String) {
        self.prefix = prefix
        self.uri = uri
    }
}
