import FiscalMixConformance
import FiscalMixCore
import FiscalMixTestSupport
import FiscalMixTestTraits
import FiscalMixXML
import Foundation
import Testing

@testable import FiscalMixFiscal

/// The XMLDSig profile: the verifier against signatures SEFAZ accepted, the signer against the
/// verifier and against an independent implementation (xmlsec1).
@Suite struct XMLSignatureTests {
    /// Every real signed event the AN distributed verifies: digest and RSA-SHA1 value.
    @Test(.requires(.fiscalSamples)) func realSignedEventsVerify() throws {
        let files = try FiscalSamples.files(in: "xml/spednfe_distdfe_decoded").filter { $0.lastPathComponent.contains("procEventoNFe") }
        #expect(files.count == 11)
        for file in files {
            let root = try XReader.parse(Array(try Data(contentsOf: file)))
            let verified = try XMLSignature.verify(root)
            #expect(verified.referenceId.hasPrefix("ID") && verified.referenceId.count == 54, "\(file.lastPathComponent)")
        }
    }

    /// Every other signed sample: the one real manifestação request verifies; the NF-e, CT-e and
    /// NFS-e samples were edited after signing (pretty-printed, signature stripped or the Id
    /// changed) and are refused — exactly the verdicts `xmlsec1 --verify` gives on them.
    @Test(.requires(.fiscalSamples)) func otherSignedSamplesGetXmlsec1sVerdicts() throws {
        let valid: Set<String> = ["exemplo_xml_request_sefazManifesta.xml"]
        let refused: Set<String> = [
            "nfe_layout4_com_prot.xml", "spedcte_example_cte_v4.00.xml", "req_evento_manifesta.xml",
            "procNFe_v4.00.xsd.xml", "41170706117473000150550010000463202612756525-procNFe.xml", "procNFe.xml",
        ]
        let files = try FiscalSamples.files(in: "xml/spednfe_fixtures") + FiscalSamples.files(in: "xml/nfelib_samples")
        var seen = 0
        for file in files where valid.contains(file.lastPathComponent) || refused.contains(file.lastPathComponent) {
            seen += 1
            let root = try XReader.parse(Array(try Data(contentsOf: file)))
            if valid.contains(file.lastPathComponent) {
                #expect(throws: Never.self, "\(file.lastPathComponent)") { try XMLSignature.verify(root) }
            } else {
                #expect(throws: XMLSignature.Invalid.self, "\(file.lastPathComponent)") { try XMLSignature.verify(root) }
            }
        }
        #expect(seen == valid.count + refused.count)
    }

    static func signer() throws -> A1Certificate {
        try A1Certificate.open(pfx: try TestCertificates.modernPKCS12(), password: "teste123", now: Date())
    }

    static let event = """
        <evento xmlns="http://www.portalfiscal.inf.br/nfe" versao="1.00"><infEvento Id="ID2102103520030909107600014455001000180740100364234301">\
        <cOrgao>91</cOrgao><tpAmb>1</tpAmb><CNPJ>11222333000181</CNPJ><chNFe>35200309091076000144550010001807401003642343</chNFe>\
        <dhEvento>2026-11-20T07:55:59-03:00</dhEvento><tpEvento>210210</tpEvento><nSeqEvento>1</nSeqEvento><verEvento>1.00</verEvento>\
        <detEvento versao="1.00"><descEvento>Ciencia da Operacao</descEvento></detEvento></infEvento></evento>
        """

    /// What the signer makes, the verifier accepts; a changed field or value is caught.
    @Test func signedEventsVerifyAndTamperingIsCaught() throws {
        let signed = try XMLSignature.signEnveloped(
            Self.event, referenceId: "ID2102103520030909107600014455001000180740100364234301",
            with: try Self.signer())
        #expect(signed.hasSuffix("</Signature></evento>") && !signed.contains("ds:"))
        let verified = try XMLSignature.verify(try XReader.parse(Array(signed.utf8)))
        #expect(verified.referenceId == "ID2102103520030909107600014455001000180740100364234301")

        let changed = signed.replacingOccurrences(of: "<tpAmb>1</tpAmb>", with: "<tpAmb>2</tpAmb>")
        #expect { try XMLSignature.verify(try XReader.parse(Array(changed.utf8))) } throws: {
            ($0 as? XMLSignature.Invalid)?.reason == .digestMismatch
        }
        let value = try #require(signed.range(of: "<SignatureValue>")?.upperBound)
        var forged = signed
        forged.replaceSubrange(
            value..<forged.index(value, offsetBy: 4), with: signed[value..<signed.index(value, offsetBy: 4)] == "AAAA" ? "BBBB" : "AAAA")
        #expect { try XMLSignature.verify(try XReader.parse(Array(forged.utf8))) } throws: { ($0 as? XMLSignature.Invalid)?.reason == .badSignature }
        #expect { try XMLSignature.verify(try XReader.parse(Array(Self.event.utf8))) } throws: { ($0 as? XMLSignature.Invalid)?.reason == .missing }
    }

    static let xmlsec1 = ["/usr/bin/xmlsec1", "/usr/local/bin/xmlsec1"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// An independent verifier accepts what FiscalMix signs and refuses it once changed: Debian's
    /// `xmlsec1 --verify` (libxmlsec1 over libxml2's C14N). (signxml 5.2 on lxml 6.1 was tried
    /// first and refuses even the events SEFAZ accepted: its subtree canonicalisation writes
    /// `xmlns=""` on `descEvento`.)
    @Test(.enabled(if: xmlsec1 != nil, "needs xmlsec1 (apt-get install xmlsec1)"), .requires(.fiscalSamples))
    func xmlsec1AcceptsOurSignatureAndRefusesTampering() throws {
        let signed = try XMLSignature.signEnveloped(
            Self.event, referenceId: "ID2102103520030909107600014455001000180740100364234301",
            with: try Self.signer())
        func xmlsec(_ xml: String) throws -> (status: Int32, output: String) {
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("signed-\(UUID().uuidString).xml")
            try Data(xml.utf8).write(to: file)
            defer { try? FileManager.default.removeItem(at: file) }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Self.xmlsec1!)
            // --insecure: the fake e-CNPJ does not chain to ICP-Brasil; the key comes from KeyInfo.
            process.arguments = ["--verify", "--id-attr:Id", "infEvento", "--insecure", file.path]
            let output = Pipe()
            process.standardOutput = output
            process.standardError = output
            try process.run()
            process.waitUntilExit()
            return (process.terminationStatus, String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
        }
        let accepted = try xmlsec(signed)
        #expect(accepted.status == 0 && accepted.output.contains("OK"), "\(accepted.output)")
        let tampered = try xmlsec(signed.replacingOccurrences(of: "<tpAmb>1</tpAmb>", with: "<tpAmb>2</tpAmb>"))
        #expect(tampered.status != 0)
        // The same tool accepts a real event, so the check above is not vacuous.
        let real = try FiscalSamples.files(in: "xml/spednfe_distdfe_decoded").first { $0.lastPathComponent.contains("procEventoNFe") }!
        #expect(try xmlsec(String(decoding: try Data(contentsOf: real), as: UTF8.self)).status == 0)
    }
}
