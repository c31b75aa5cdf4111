import FiscalMixXML
import Testing

@Suite struct XReaderTests {
    @Test func readsNamespacesAttributesTextAndEntities() throws {
        let root = try XReader.parse(
            """
            <?xml version="1.0" encoding="UTF-8"?>
            <!-- a comment --><!---->
            <a:env xmlns:a="urn:a" xmlns="urn:d" x='1'><b y="&quot;q&quot; &amp; &#65;&#x42;">t&lt;1 &gt; &apos;<![CDATA[<raw>&amp;]]><![CDATA[x]]></b><c/></a:env>
            """)
        #expect(root.localName == "env")
        #expect(root.prefix == "a")
        #expect(root.namespace == "urn:a")
        #expect(root.attribute("x") == "1")
        let b = try #require(root.child("b"))
        #expect(b.namespace == "urn:d")
        #expect(b.attribute("y") == "\"q\" & AB")
        #expect(b.text == "t<1 > '<raw>&amp;x")
        #expect(root.child("c")?.content.isEmpty == true)
        #expect(root.namespaceDeclarations == [XNamespaceDeclaration(prefix: "a", uri: "urn:a"), XNamespaceDeclaration(prefix: nil, uri: "urn:d")])
    }

    @Test func normalisesLineEndings() throws {
        let root = try XReader.parse(Array("<r a=\"x\r\ny\">1\r\n2\r3</r>".utf8))
        #expect(root.text == "1\n2\n3")
        #expect(root.attribute("a") == "x y")
    }

    @Test(arguments: [
        ("<a><b></a>", XMLSyntaxError.Code.mismatchedTag, 1, 7),
        ("<a>\n  <b>", .unexpectedEnd, 2, 6),
        ("<a x=1/>", .malformed, 1, 6),
        ("<p:a/>", .undeclaredPrefix, 1, 7),
        ("<a x='1' x='2'/>", .duplicateAttribute, 1, 10),
        ("<a>&nbsp;</a>", .unknownEntity, 1, 4),
        ("<!DOCTYPE a [<!ENTITY e 'x'>]><a>&e;</a>", .doctypeNotAllowed, 1, 1),
        ("<a/><b/>", .contentAfterRoot, 1, 5),
        ("<a/>text", .contentAfterRoot, 1, 5),
        ("", .noRootElement, 1, 1),
        ("<a>&#0;</a>", .unknownEntity, 1, 4),
        ("<1a/>", .malformed, 1, 2),
    ])
    func reportsErrorsWithTheirPosition(_ input: String, _ code: XMLSyntaxError.Code, _ line: Int, _ column: Int) {
        #expect {
            try XReader.parse(input)
        } throws: { error in
            guard let error = error as? XMLSyntaxError else { return false }
            return error.code == code && error.line == line && error.column == column
        }
    }

    @Test func boundsDepthSizeAndElementCount() {
        let deep = String(repeating: "<a>", count: 300) + String(repeating: "</a>", count: 300)
        #expect(throws: XMLSyntaxError.self) { try XReader.parse(deep) }
        #expect((try? XReader.parse(deep, limits: XMLLimits(maxDepth: 400))) != nil)
        #expect(throws: XMLSyntaxError.self) {
            try XReader.parse("<a>" + String(repeating: "x", count: 100) + "</a>", limits: XMLLimits(maxBytes: 50))
        }
        #expect(throws: XMLSyntaxError.self) {
            try XReader.parse("<a>" + String(repeating: "<b/>", count: 11) + "</a>", limits: XMLLimits(maxElements: 10))
        }
    }

    /// Random corruptions of a realistic document: every one either parses or throws — no crash,
    /// no hang (each parse is linear in the input).
    @Test func survivesMalformedInput() {
        let document = Array(
            """
            <?xml version="1.0"?><nfeProc xmlns="http://www.portalfiscal.inf.br/nfe" versao="4.00"><NFe><infNFe Id="NFe1"><ide><nNF>1</nNF>\
            <natOp>VENDA &amp; REVENDA</natOp></ide><![CDATA[x]]><!-- c --></infNFe></NFe></nfeProc>
            """.utf8)
        var generator = SplitMix64(seed: 0x5EFA2)
        var parsed = 0, refused = 0
        for _ in 0..<5_000 {
            var mutated = document
            for _ in 0..<(1 + Int(generator.next() % 4)) {
                let position = Int(generator.next() % UInt64(mutated.count))
                switch generator.next() % 4 {
                case 0: mutated[position] = UInt8(truncatingIfNeeded: generator.next())
                case 1: mutated.remove(at: position)
                case 2: mutated.insert(Array("<>&;/\"'=:![]".utf8)[Int(generator.next() % 12)], at: position)
                default: mutated = Array(mutated[0..<position])
                }
                if mutated.isEmpty { break }
            }
            if (try? XReader.parse(mutated)) != nil { parsed += 1 } else { refused += 1 }
        }
        // The untouched document parses, and most corruptions are caught rather than accepted.
        #expect((try? XReader.parse(document))?.localName == "nfeProc")
        #expect(refused > 2_500 && parsed > 0)
    }
}

/// A small deterministic generator, so a failing mutation can be reproduced.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
