import FiscalMixCore
import FiscalMixDFe
public import Foundation

/// A realistic distribution feed for one recipient CNPJ, as the AN builds it: for each NF-e
/// addressed to the company a resNFe, and later (after a manifestação, or because the company is
/// named in autXML) the full nfeProc; cancellations (110111) as resEvento, cartas de correção
/// (110110) as procEventoNFe, the AN's CT-e registrations (610600) as resEvento; CT-e in their
/// own feed (`SefazFeed+CTe`). Keys are valid (mod 11), values exact decimal text, NSUs
/// ascending without gaps. `truth` is what a correct sync must end up holding.
public struct SefazFeed: Sendable {
    public struct Expected: Sendable, Equatable {
        public var full: Bool
        public var cancelled: Bool
        public var value: String
        public var issuer: String
    }

    public internal(set) var documents: [SefazPeerRules.FeedDocument] = []
    public internal(set) var truth: [String: Expected] = [:]
    /// "key|code|sequence" of every event in the feed.
    public internal(set) var events: Set<String> = []
    /// Full XMLs kept back for a manifestação (`addNFe(…, withholdFull: true)`).
    public private(set) var withheld: [(key: String, schema: String, xml: [UInt8])] = []
    public let recipient: String
    private var nextNSU: Int64

    public init(recipient: String, firstNSU: Int64 = 1) {
        self.recipient = recipient
        nextNSU = firstNSU
    }

    public var lastNSU: Int64 { nextNSU - 1 }

    /// Suppliers with valid CNPJ check digits.
    static let suppliers: [(cnpj: String, name: String)] = [
        ("00000000000191", "Fornecedora Alfa Ltda"), ("45997418000153", "Beta Distribuidora S.A."),
        ("04252011000110", "Gama &amp; Filhos Comercio"), ("60701190000104", "Delta Industria Ltda"),
        ("33000167000101", "Epsilon Combustiveis S/A"), ("07526557000100", "Zeta Alimentos Eireli"),
        ("02558157000162", "Eta Telecomunicacoes S.A."),
    ]

    mutating func push(_ schema: String, _ xml: String) {
        documents.append(.init(nsu: nextNSU, schema: schema, xml: Array(xml.utf8)))
        nextNSU += 1
    }

    /// Appends already-made payloads (the real samples) with the next NSUs.
    /// Real distribution payloads saved as `{NSU}_{schema}.xml` files (as the AN's docZips
    /// gunzipped), in NSU order, with the schema name each arrived under.
    public static func distributionPayloads(in directory: URL) throws -> [(schema: String, xml: [UInt8])] {
        try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "xml" && $0.lastPathComponent.contains("_") }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
            .map { file in
                let parts = file.deletingPathExtension().lastPathComponent.split(separator: "_", maxSplits: 1)
                return (String(parts[1]) + ".xsd", Array(try Data(contentsOf: file)))
            }
    }

    public mutating func append(raw payloads: [(schema: String, xml: [UInt8])]) {
        for payload in payloads {
            documents.append(.init(nsu: nextNSU, schema: payload.schema, xml: payload.xml))
            nextNSU += 1
        }
    }

    /// Appends a docZip that is not what it claims (garbage, a gzip bomb).
    public mutating func append(hostile zip: [UInt8], schema: String = "procNFe_v4.00.xsd") {
        documents.append(.init(nsu: nextNSU, schema: schema, xml: [], rawZip: zip))
        nextNSU += 1
    }

    /// Adds `count` NF-e: every second one's full XML arrives some 45 NSUs after its summary, every
    /// tenth is cancelled, every fifteenth gets a carta de correção.
    public mutating func addNFe(
        count: Int, startingNumber: Int = 1, issued start: Date = Date(timeIntervalSince1970: 1_767_225_600),
        withholdFull: Bool = false
    ) {
        var pendingFull: [(due: Int, schema: String, xml: String)] = []
        for i in 0..<count {
            let number = startingNumber + i
            let supplier = Self.suppliers[number % Self.suppliers.count]
            let issued = start.addingTimeInterval(Double(i) * 997)
            let (year, month) = Self.yearMonth(issued)
            let key = AccessKey.make(
                uf: 35, year: year, month: month, issuer: supplier.cnpj, model: 55, series: 1 + number % 3, number: number,
                randomCode: 10_000_000 + (number * 7_919) % 89_999_999
            ).value
            // Cents that binary floating point cannot hold exactly, and large totals.
            let value = "\((number * 7_919) % 2_500_000).\(String(format: "%02d", (number * 37) % 100))"
            let protocolNumber = "1352600\(String(format: "%08d", number))"
            let digest = Data(key.utf8.prefix(20)).base64EncodedString()
            let date = FiscalDateTime.brasilia(issued)
            push(
                "resNFe_v1.01.xsd",
                """
                <resNFe xmlns="http://www.portalfiscal.inf.br/nfe" versao="1.01"><chNFe>\(key)</chNFe><CNPJ>\(supplier.cnpj)</CNPJ>\
                <xNome>\(supplier.name)</xNome><IE>110042490114</IE><dhEmi>\(date)</dhEmi><tpNF>1</tpNF><vNF>\(value)</vNF>\
                <digVal>\(digest)</digVal><dhRecbto>\(date)</dhRecbto><nProt>\(protocolNumber)</nProt><cSitNFe>1</cSitNFe></resNFe>
                """)
            let full = number % 2 == 0
            let cancelled = number % 10 == 0
            truth[key] = Expected(full: full, cancelled: cancelled, value: value, issuer: supplier.cnpj)
            if full, withholdFull {
                withheld.append(
                    (
                        key, "procNFe_v4.00.xsd",
                        Array(
                            Self.nfeProc(
                                key: key, number: number, series: 1 + number % 3, supplier: supplier,
                                recipient: recipient, date: date, value: value, protocolNumber: protocolNumber, digest: digest
                            ).utf8)
                    ))
            } else if full {
                pendingFull.append(
                    (
                        due: i + 30, schema: "procNFe_v4.00.xsd",
                        xml: Self.nfeProc(
                            key: key, number: number, series: 1 + number % 3,
                            supplier: supplier, recipient: recipient, date: date, value: value, protocolNumber: protocolNumber, digest: digest)
                    ))
            }
            if cancelled {
                push(
                    "resEvento_v1.01.xsd",
                    """
                    <resEvento xmlns="http://www.portalfiscal.inf.br/nfe" versao="1.01"><cOrgao>35</cOrgao><CNPJ>\(supplier.cnpj)</CNPJ>\
                    <chNFe>\(key)</chNFe><dhEvento>\(date)</dhEvento><tpEvento>110111</tpEvento><nSeqEvento>1</nSeqEvento>\
                    <xEvento>Cancelamento</xEvento><dhRecbto>\(date)</dhRecbto><nProt>1352600\(String(format: "%08d", number + 1))</nProt></resEvento>
                    """)
                events.insert("\(key)|110111|1")
            }
            if number % 15 == 0 {
                push("procEventoNFe_v1.00.xsd", Self.correction(key: key, supplier: supplier.cnpj, date: date, number: number))
                events.insert("\(key)|110110|1")
            }
            if number % 20 == 0 {
                // The fisco's own event when a CT-e carrying this NF-e is authorised: the AN (cOrgao
                // 91) as author, delivered as a summary, as in the real capture.
                push(
                    "resEvento_v1.01.xsd",
                    """
                    <resEvento xmlns="http://www.portalfiscal.inf.br/nfe" versao="1.01"><cOrgao>91</cOrgao><CNPJ>33683111000107</CNPJ>\
                    <chNFe>\(key)</chNFe><dhEvento>\(date)</dhEvento><tpEvento>610600</tpEvento><nSeqEvento>1</nSeqEvento>\
                    <xEvento>Registro de Autorização de CT-e para a NF-e</xEvento><dhRecbto>\(date)</dhRecbto>\
                    <nProt>891260\(String(format: "%09d", number))</nProt></resEvento>
                    """)
                events.insert("\(key)|610600|1")
            }
            while let first = pendingFull.first, first.due <= i {
                push(first.schema, first.xml)
                pendingFull.removeFirst()
            }
        }
        for pending in pendingFull { push(pending.schema, pending.xml) }
    }

    static func nfeProc(
        key: String, number: Int, series: Int, supplier: (cnpj: String, name: String), recipient: String, date: String,
        value: String, protocolNumber: String, digest: String
    ) -> String {
        """
        <nfeProc xmlns="http://www.portalfiscal.inf.br/nfe" versao="4.00"><NFe><infNFe Id="NFe\(key)" versao="4.00"><ide><cUF>35</cUF>\
        <cNF>\(key.dropFirst(35).prefix(8))</cNF><natOp>Venda de mercadoria</natOp><mod>55</mod><serie>\(series)</serie><nNF>\(number)</nNF>\
        <dhEmi>\(date)</dhEmi><tpNF>1</tpNF><idDest>1</idDest><cMunFG>3550308</cMunFG><tpImp>1</tpImp><tpEmis>1</tpEmis>\
        <cDV>\(key.suffix(1))</cDV><tpAmb>1</tpAmb><finNFe>1</finNFe><indFinal>0</indFinal><indPres>9</indPres><procEmi>0</procEmi>\
        <verProc>1.0</verProc></ide><emit><CNPJ>\(supplier.cnpj)</CNPJ><xNome>\(supplier.name)</xNome><enderEmit><UF>SP</UF></enderEmit>\
        <IE>110042490114</IE><CRT>3</CRT></emit><dest><CNPJ>\(recipient)</CNPJ><xNome>Empresa Teste Ltda</xNome><indIEDest>1</indIEDest></dest>\
        <det nItem="1"><prod><cProd>001</cProd><xProd>Mercadoria</xProd><NCM>84713012</NCM><CFOP>5102</CFOP><uCom>UN</uCom><qCom>1.0000</qCom>\
        <vUnCom>\(value)</vUnCom><vProd>\(value)</vProd></prod></det><total><ICMSTot><vBC>0.00</vBC><vICMS>0.00</vICMS>\
        <vProd>\(value)</vProd><vNF>\(value)</vNF></ICMSTot></total></infNFe></NFe><protNFe versao="4.00"><infProt><tpAmb>1</tpAmb>\
        <verAplic>SP_NFE_PL_009_V4</verAplic><chNFe>\(key)</chNFe><dhRecbto>\(date)</dhRecbto><nProt>\(protocolNumber)</nProt>\
        <digVal>\(digest)</digVal><cStat>100</cStat><xMotivo>Autorizado o uso da NF-e</xMotivo></infProt></protNFe></nfeProc>
        """
    }

    static func correction(key: String, supplier: String, date: String, number: Int) -> String {
        """
        <procEventoNFe xmlns="http://www.portalfiscal.inf.br/nfe" versao="1.00"><evento versao="1.00"><infEvento Id="ID110110\(key)01">\
        <cOrgao>35</cOrgao><tpAmb>1</tpAmb><CNPJ>\(supplier)</CNPJ><chNFe>\(key)</chNFe><dhEvento>\(date)</dhEvento><tpEvento>110110</tpEvento>\
        <nSeqEvento>1</nSeqEvento><verEvento>1.00</verEvento><detEvento versao="1.00"><descEvento>Carta de Correcao</descEvento>\
        <xCorrecao>Corrigido o endereco de entrega do pedido \(number)</xCorrecao><xCondUso>A Carta de Correcao e disciplinada pelo \
        paragrafo 1o-A do art. 7o do Convenio S/N, de 15 de dezembro de 1970</xCondUso></detEvento></infEvento></evento>\
        <retEvento versao="1.00"><infEvento><tpAmb>1</tpAmb><verAplic>SP_EVENTOS_PL_100</verAplic><cOrgao>35</cOrgao><cStat>135</cStat>\
        <xMotivo>Evento registrado e vinculado a NF-e</xMotivo><chNFe>\(key)</chNFe><tpEvento>110110</tpEvento><nSeqEvento>1</nSeqEvento>\
        <dhRegEvento>\(date)</dhRegEvento><nProt>1352600\(String(format: "%08d", number + 2))</nProt></infEvento></retEvento></procEventoNFe>
        """
    }

    static func yearMonth(_ date: Date) -> (Int, Int) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: -3 * 3600)!
        let parts = calendar.dateComponents([.year, .month], from: date)
        return (parts.year!, parts.month!)
    }
}
