/// A non-validating XML 1.0 reader with namespaces that builds an `XElement` tree.
///
/// Written for the documents FiscalMix receives (SEFAZ payloads, SOAP envelopes, signed events):
/// it refuses DTDs instead of expanding entities, bounds depth, size and element count, and reports
/// the line and column of the first error. Comments and processing instructions are dropped (C14N
/// without comments does not need them); CDATA sections become text.
public enum XReader {
    public static let xmlNamespace = "http://www.w3.org/XML/1998/namespace"

    public static func parse(_ text: String, limits: XMLLimits = XMLLimits()) throws(XMLSyntaxError) -> XElement {
        try parse(Array(text.utf8), limits: limits)
    }

    public static func parse(_ bytes: [UInt8], limits: XMLLimits = XMLLimits()) throws(XMLSyntaxError) -> XElement {
        try bytes.withUnsafeBufferPointer { buffer throws(XMLSyntaxError) in try parse(buffer, limits: limits) }
    }

    public static func parse(_ buffer: UnsafeBufferPointer<UInt8>, limits: XMLLimits = XMLLimits()) throws(XMLSyntaxError) -> XElement {
        var scanner = Scanner(bytes: buffer, limits: limits)
        guard buffer.count <= limits.maxBytes else {
            throw scanner.error(.tooLarge, "The document has \(buffer.count) bytes; the limit is \(limits.maxBytes).")
        }
        return try scanner.document()
    }
}

private struct OpenElement {
    var qualifiedName: Slice<UnsafeBufferPointer<UInt8>>
    var localName: String
    var prefix: String?
    var namespace: String?
    var attributes: [XAttribute]
    var declarations: [XNamespaceDeclaration]
    var content: [XContent] = []
}

private struct Scanner {
    let bytes: UnsafeBufferPointer<UInt8>
    let limits: XMLLimits
    var position = 0
    var elementCount = 0
    /// In-scope declarations, innermost last; each open element pushes how many it added.
    var scope: [XNamespaceDeclaration] = []
    var scopeMarks: [Int] = []
    var stack: [OpenElement] = []

    init(bytes: UnsafeBufferPointer<UInt8>, limits: XMLLimits) {
        self.bytes = bytes
        self.limits = limits
    }

    // MARK: document

    mutating func document() throws(XMLSyntaxError) -> XElement {
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { position = 3 }
        var root: XElement?
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "<") {
                try markup(&root)
            } else if stack.isEmpty {
                guard isSpace(byte) else {
                    throw error(
                        root == nil ? .malformed : .contentAfterRoot,
                        root == nil ? "Text before the root element." : "Text after the root element.")
                }
                position += 1
            } else {
                try text()
            }
        }
        guard stack.isEmpty else { throw error(.unexpectedEnd, "The document ends inside <\(stack.last!.localName)>.") }
        guard let root else { throw error(.noRootElement, "The document has no root element.") }
        return root
    }

    mutating func markup(_ root: inout XElement?) throws(XMLSyntaxError) {
        let next = peek(1)
        switch next {
        case UInt8(ascii: "?"):
            try skip(past: "?>", what: "processing instruction", opening: 2)
        case UInt8(ascii: "!"):
            if matches("<!--") {
                try skip(past: "-->", what: "comment", opening: 4)
            } else if matches("<![CDATA[") {
                guard !stack.isEmpty else { throw error(.malformed, "CDATA outside the root element.") }
                position += 9
                let start = position
                try skip(past: "]]>", what: "CDATA section", opening: 0)
                appendText(String(decoding: bytes[start..<(position - 3)], as: UTF8.self))
            } else if matches("<!DOCTYPE") {
                throw error(.doctypeNotAllowed, "Documents with a DOCTYPE are refused.")
            } else {
                throw error(.malformed, "Unknown markup after '<!'.")
            }
        case UInt8(ascii: "/"):
            try endTag(&root)
        default:
            if stack.isEmpty, root != nil { throw error(.contentAfterRoot, "A second root element.") }
            try startTag(&root)
        }
    }

    // MARK: tags

    mutating func startTag(_ root: inout XElement?) throws(XMLSyntaxError) {
        position += 1
        let name = try nameToken()
        var rawAttributes: [(name: Slice<UnsafeBufferPointer<UInt8>>, value: String, at: Int)] = []
        var declarations: [XNamespaceDeclaration] = []
        var selfClosing = false
        while true {
            let hadSpace = skipSpace()
            guard position < bytes.count else { throw error(.unexpectedEnd, "The document ends inside a start tag.") }
            let byte = bytes[position]
            if byte == UInt8(ascii: ">") { position += 1; break }
            if byte == UInt8(ascii: "/") {
                guard peek(1) == UInt8(ascii: ">") else { throw error(.malformed, "Expected '>' after '/'.") }
                position += 2
                selfClosing = true
                break
            }
            guard hadSpace else { throw error(.malformed, "Attributes must be separated by whitespace.") }
            let at = position
            let attributeName = try nameToken()
            skipSpace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "=") else {
                throw error(.malformed, "Expected '=' after the attribute name.")
            }
            position += 1
            skipSpace()
            let value = try attributeValue()
            if equal(attributeName, "xmlns") {
                declarations.append(XNamespaceDeclaration(prefix: nil, uri: value))
            } else if startsWith(attributeName, "xmlns:") {
                let prefix = String(decoding: attributeName.dropFirst(6), as: UTF8.self)
                guard !value.isEmpty else { throw error(.malformed, "The prefix '\(prefix)' cannot be undeclared.", at: at) }
                declarations.append(XNamespaceDeclaration(prefix: prefix, uri: value))
            } else {
                rawAttributes.append((attributeName, value, at))
            }
        }
        elementCount += 1
        guard elementCount <= limits.maxElements else { throw error(.tooLarge, "More than \(limits.maxElements) elements.") }
        guard stack.count < limits.maxDepth else { throw error(.tooDeep, "Elements nest deeper than \(limits.maxDepth) levels.") }

        scopeMarks.append(scope.count)
        scope.append(contentsOf: declarations)
        let (prefix, localName) = split(name)
        let namespace = try resolve(prefix, isElement: true)
        var attributes: [XAttribute] = []
        attributes.reserveCapacity(rawAttributes.count)
        for raw in rawAttributes {
            let (attributePrefix, attributeLocal) = split(raw.name)
            let attributeNamespace = attributePrefix == nil ? nil : try resolve(attributePrefix, isElement: false)
            if attributes.contains(where: { $0.localName == attributeLocal && $0.namespace == attributeNamespace }) {
                throw error(.duplicateAttribute, "The attribute '\(attributeLocal)' appears twice.", at: raw.at)
            }
            attributes.append(XAttribute(localName: attributeLocal, prefix: attributePrefix, namespace: attributeNamespace, value: raw.value))
        }
        let open = OpenElement(
            qualifiedName: name, localName: localName, prefix: prefix, namespace: namespace,
            attributes: attributes, declarations: declarations)
        if selfClosing {
            close(open, &root)
        } else {
            stack.append(open)
        }
    }

    mutating func endTag(_ root: inout XElement?) throws(XMLSyntaxError) {
        let at = position
        position += 2
        let name = try nameToken()
        skipSpace()
        guard position < bytes.count, bytes[position] == UInt8(ascii: ">") else { throw error(.malformed, "Expected '>' to close the end tag.") }
        position += 1
        guard let open = stack.popLast() else { throw error(.malformed, "An end tag without a start tag.", at: at) }
        guard open.qualifiedName.elementsEqual(name) else {
            throw error(
                .mismatchedTag, "</\(String(decoding: name, as: UTF8.self))> closes <\(open.prefix.map { "\($0):" } ?? "")\(open.localName)>.", at: at
            )
        }
        close(open, &root)
    }

    mutating func close(_ open: OpenElement, _ root: inout XElement?) {
        let element = XElement(
            localName: open.localName, prefix: open.prefix, namespace: open.namespace, attributes: open.attributes,
            namespaceDeclarations: open.declarations, content: open.content)
        scope.removeSubrange(scopeMarks.removeLast()...)
        if stack.isEmpty {
            root = element
        } else {
            stack[stack.count - 1].content.append(.element(element))
        }
    }

    func resolve(_ prefix: String?, isElement: Bool) throws(XMLSyntaxError) -> String? {
        if prefix == "xml" { return XReader.xmlNamespace }
        for declaration in scope.reversed() where declaration.prefix == prefix {
            return declaration.uri.isEmpty ? nil : declaration.uri
        }
        if prefix == nil { return nil }
        throw error(.undeclaredPrefix, "The prefix '\(prefix!)' is not declared.")
    }

    // MARK: text

    mutating func text() throws(XMLSyntaxError) {
        var result = ""
        var runStart = position
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "<") { break }
            if byte == UInt8(ascii: "&") {
                result += String(decoding: bytes[runStart..<position], as: UTF8.self)
                result += try entity()
                runStart = position
            } else if byte == 0x0D {
                // End-of-line handling: CR LF and a lone CR both become LF.
                result += String(decoding: bytes[runStart..<position], as: UTF8.self)
                result += "\n"
                position += peek(1) == 0x0A ? 2 : 1
                runStart = position
            } else {
                position += 1
            }
        }
        result += String(decoding: bytes[runStart..<position], as: UTF8.self)
        appendText(result)
    }

    mutating func appendText(_ text: String) {
        guard !text.isEmpty else { return }
        let last = stack.count - 1
        if case .text(let previous)? = stack[last].content.last {
            stack[last].content[stack[last].content.count - 1] = .text(previous + text)
        } else {
            stack[last].content.append(.text(text))
        }
    }

    mutating func attributeValue() throws(XMLSyntaxError) -> String {
        guard position < bytes.count else { throw error(.unexpectedEnd, "The document ends inside a start tag.") }
        let quote = bytes[position]
        guard quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") else { throw error(.malformed, "Attribute values must be quoted.") }
        position += 1
        var result = ""
        var runStart = position
        while true {
            guard position < bytes.count else { throw error(.unexpectedEnd, "The document ends inside an attribute value.") }
            let byte = bytes[position]
            if byte == quote { break }
            if byte == UInt8(ascii: "<") { throw error(.malformed, "'<' is not allowed in an attribute value.") }
            if byte == UInt8(ascii: "&") {
                result += String(decoding: bytes[runStart..<position], as: UTF8.self)
                result += try entity()
                runStart = position
            } else if byte == 0x09 || byte == 0x0A || byte == 0x0D {
                // Attribute-value normalisation: each whitespace character becomes a space.
                result += String(decoding: bytes[runStart..<position], as: UTF8.self)
                if byte == 0x0D && peek(1) == 0x0A { position += 1 }
                result += " "
                position += 1
                runStart = position
            } else {
                position += 1
            }
        }
        result += String(decoding: bytes[runStart..<position], as: UTF8.self)
        position += 1
        return result
    }

    mutating func entity() throws(XMLSyntaxError) -> String {
        let start = position
        position += 1
        while position < bytes.count, bytes[position] != UInt8(ascii: ";") {
            guard position - start < 12 else { throw error(.unknownEntity, "An '&' that does not start a reference.", at: start) }
            position += 1
        }
        guard position < bytes.count else { throw error(.unexpectedEnd, "The document ends inside a reference.", at: start) }
        let name = bytes[(start + 1)..<position]
        position += 1
        switch String(decoding: name, as: UTF8.self) {
        case "lt": return "<"
        case "gt": return ">"
        case "amp": return "&"
        case "quot": return "\""
        case "apos": return "'"
        case let reference where reference.hasPrefix("#"):
            let digits = reference.dropFirst()
            let value = digits.hasPrefix("x") ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits, radix: 10)
            guard let value, let scalar = Unicode.Scalar(value), value != 0 else {
                throw error(.unknownEntity, "'&\(reference);' is not a valid character reference.", at: start)
            }
            return String(Character(scalar))
        case let other:
            throw error(.unknownEntity, "Unknown entity '&\(other);' (DTD entities are not supported).", at: start)
        }
    }

    // MARK: lexical helpers

    mutating func nameToken() throws(XMLSyntaxError) -> Slice<UnsafeBufferPointer<UInt8>> {
        let start = position
        while position < bytes.count, isNameByte(bytes[position]) { position += 1 }
        guard position > start else {
            if position >= bytes.count { throw error(.unexpectedEnd, "The document ends where a name was expected.") }
            throw error(.malformed, "Expected a name.")
        }
        let first = bytes[start]
        guard !(first >= 0x30 && first <= 0x39), first != UInt8(ascii: "-"), first != UInt8(ascii: ".") else {
            throw error(.malformed, "A name cannot start with a digit, '-' or '.'.", at: start)
        }
        return bytes[start..<position]
    }

    func split(_ name: Slice<UnsafeBufferPointer<UInt8>>) -> (String?, String) {
        if let colon = name.firstIndex(of: UInt8(ascii: ":")) {
            return (
                String(decoding: name[name.startIndex..<colon], as: UTF8.self),
                String(decoding: name[(colon + 1)...], as: UTF8.self)
            )
        }
        return (nil, String(decoding: name, as: UTF8.self))
    }

    @discardableResult
    mutating func skipSpace() -> Bool {
        let start = position
        while position < bytes.count, isSpace(bytes[position]) { position += 1 }
        return position > start
    }

    /// Moves past `terminator`, searching from `opening` bytes after the current position (past
    /// the construct's own opening, so `<!---->` and `<![CDATA[x]]>` end where they should).
    mutating func skip(past terminator: StaticString, what: String, opening: Int) throws(XMLSyntaxError) {
        let start = position
        let end = terminator.utf8Start
        let count = terminator.utf8CodeUnitCount
        position += opening
        while position + count <= bytes.count {
            var found = true
            for k in 0..<count where bytes[position + k] != end[k] { found = false; break }
            if found { position += count; return }
            position += 1
        }
        throw error(.unexpectedEnd, "The document ends inside a \(what).", at: start)
    }

    func matches(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard position + count <= bytes.count else { return false }
        for k in 0..<count where bytes[position + k] != literal.utf8Start[k] { return false }
        return true
    }

    func equal(_ slice: Slice<UnsafeBufferPointer<UInt8>>, _ literal: StaticString) -> Bool {
        slice.count == literal.utf8CodeUnitCount && startsWith(slice, literal)
    }

    func startsWith(_ slice: Slice<UnsafeBufferPointer<UInt8>>, _ literal: StaticString) -> Bool {
        guard slice.count >= literal.utf8CodeUnitCount else { return false }
        var index = slice.startIndex
        for k in 0..<literal.utf8CodeUnitCount {
            if slice[index] != literal.utf8Start[k] { return false }
            index += 1
        }
        return true
    }

    func peek(_ offset: Int) -> UInt8? {
        position + offset < bytes.count ? bytes[position + offset] : nil
    }

    func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x0A || byte == 0x09 || byte == 0x0D }

    func isNameByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "_"), UInt8(ascii: ":"), UInt8(ascii: "-"), UInt8(ascii: "."), 0x80...0xFF:
            true
        default:
            false
        }
    }

    func error(_ code: XMLSyntaxError.Code, _ message: String, at offset: Int? = nil) -> XMLSyntaxError {
        let offset = min(offset ?? position, bytes.count)
        var line = 1
        var lineStart = 0
        for index in 0..<offset where bytes[index] == 0x0A {
            line += 1
            lineStart = index + 1
        }
        return XMLSyntaxError(code: code, message: message, offset: offset, line: line, column: offset - lineStart + 1)
    }
}
