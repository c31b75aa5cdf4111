import FiscalMixXML
import Testing

@Suite struct CanonicalizerTests {
    /// The W3C C14N rules the signed fiscal documents rely on: inherited default namespace on the
    /// apex, sorted attributes, expanded empty elements, escapes, no redundant redeclarations.
    @Test func rendersTheSubtreeWithItsInheritedNamespace() throws {
        let root = try XReader.parse(
            """
            <evento xmlns="http://www.portalfiscal.inf.br/nfe" versao="1.00"><infEvento z="2" Id="ID1" a="x&#9;&lt;&quot;"><cOrgao>91</cOrgao>\
            <x xmlns="http://www.portalfiscal.inf.br/nfe"/><t>a &amp; b &gt; c</t></infEvento></evento>
            """)
        let canonical = Canonicalizer.canonicalize(descendantWithId: "ID1", in: root)
        let expected =
            #"<infEvento xmlns="http://www.portalfiscal.inf.br/nfe" Id="ID1" a="x&#x9;&lt;&quot;" z="2"><cOrgao>91</cOrgao><x></x><t>a &amp; b &gt; c</t></infEvento>"#
        #expect(String(decoding: try #require(canonical), as: UTF8.self) == expected)
    }

    @Test func sortsNamespaceDeclarationsAndPrefixedAttributes() throws {
        let root = try XReader.parse(#"<r xmlns:b="urn:b" xmlns:a="urn:a" xmlns="urn:d" b:k="1" a:k="2" k="3"><s xmlns=""/></r>"#)
        let canonical = String(decoding: Canonicalizer.canonicalize(root), as: UTF8.self)
        #expect(canonical == #"<r xmlns="urn:d" xmlns:a="urn:a" xmlns:b="urn:b" k="3" a:k="2" b:k="1"><s xmlns=""></s></r>"#)
    }

    @Test func leavesOutExcludedElements() throws {
        let root = try XReader.parse(#"<r><a/><Signature xmlns="http://www.w3.org/2000/09/xmldsig#"><x/></Signature></r>"#)
        let canonical = Canonicalizer.canonicalize(root) { $0.localName == "Signature" }
        #expect(String(decoding: canonical, as: UTF8.self) == "<r><a></a></r>")
    }
}
