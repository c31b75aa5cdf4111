import FiscalMixCore
import FiscalMixDFe
public import Foundation

/// CT-e in a company's CTeDistribuicaoDFe feed (a separate feed and NSU sequence from NF-e):
/// the full `cteProc` v4.00 of every CT-e in which the company is an actor — here the
/// destinatário and taker (toma3 = 3) of freight its suppliers ship — with the NF-e it carries,
/// and cancellations as `procEventoCTe`. CT-e has no manifestação gate, so full XMLs come at once
/// (docs/sefaz.md, "Distribution").
extension SefazFeed {
    /// Carriers with valid CNPJ check digits.
    static let carriers: [(cnpj: String, name: String)] = [
        ("38473529000103", "Transportes Rapido Sul Ltda"), ("61215873000106", "Expresso Litoral S.A."),
        ("90542318000197", "Rodoviario Centro-Oeste Ltda"), ("27519064000150", "Logistica Norte &amp; Cia"),
    ]

    /// Adds `count` CT-e; every twelfth is cancelled by its carrier.
    public mutating func addCTe(count: Int, startingNumber: Int = 1, issued start: Date = Date(timeIntervalSince1970: 1_767_225_600)) {
        for i in 0..<count {
            let number = startingNumber + i
            let carrier = Self.carriers[number % Self.carriers.count]
            let shipper = Self.suppliers[number % Self.suppliers.count]
            let issued = start.addingTimeInterval(Double(i) * 1_201)
            let (year, month) = Self.yearMonth(issued)
            let key = AccessKey.make(
                uf: 35, year: year, month: month, issuer: carrier.cnpj, model: 57, series: 1, number: number,
                randomCode: 20_000_000 + (number * 6_113) % 79_999_999
            ).value
            let cargo = AccessKey.make(
                uf: 35, year: year, month: month, issuer: shipper.cnpj, model: 55, series: 1, number: 50_000 + number,
                randomCode: 30_000_000 + (number * 4_099) % 69_999_999
            ).value
            let value = "\(150 + (number * 613) % 9_000).\(String(format: "%02d", (number * 53) % 100))"
            let date = FiscalDateTime.brasilia(issued)
            push(
                "procCTe_v4.00.xsd",
                Self.cteProc(
                    key: key, number: number, carrier: carrier, shipper: shipper, recipient: recipient,
                    date: date, value: value, cargo: cargo))
            let cancelled = number % 12 == 0
            truth[key] = Expected(full: true, cancelled: cancelled, value: value, issuer: carrier.cnpj)
            if cancelled {
                push("procEventoCTe_v4.00.xsd", Self.cteCancellation(key: key, carrier: carrier.cnpj, date: date, number: number))
                events.insert("\(key)|110111|1")
            }
        }
    }

    static func cteProc(
        key: String, number: Int, carrier: (cnpj: String, name: String), shipper: (cnpj: String, name: String),
        recipient: String, date: String, value: String, cargo: String
    ) -> String {
        """
        <cteProc xmlns="http://www.portalfiscal.inf.br/cte" versao="4.00"><CTe><infCte versao="4.00" Id="CTe\(key)"><ide><cUF>35</cUF>\
        <cCT>\(key.dropFirst(35).prefix(8))</cCT><CFOP>5353</CFOP><natOp>Prestacao de servico de transporte</natOp><mod>57</mod>\
        <serie>1</serie><nCT>\(number)</nCT><dhEmi>\(date)</dhEmi><tpImp>1</tpImp><tpEmis>1</tpEmis><cDV>\(key.suffix(1))</cDV>\
        <tpAmb>1</tpAmb><tpCTe>0</tpCTe><procEmi>0</procEmi><verProc>1.0</verProc><cMunEnv>3550308</cMunEnv><xMunEnv>SAO PAULO</xMunEnv>\
        <UFEnv>SP</UFEnv><modal>01</modal><tpServ>0</tpServ><cMunIni>3550308</cMunIni><xMunIni>SAO PAULO</xMunIni><UFIni>SP</UFIni>\
        <cMunFim>3509502</cMunFim><xMunFim>CAMPINAS</xMunFim><UFFim>SP</UFFim><retira>1</retira><indIEToma>1</indIEToma>\
        <toma3><toma>3</toma></toma3></ide><emit><CNPJ>\(carrier.cnpj)</CNPJ><IE>110042490114</IE><xNome>\(carrier.name)</xNome>\
        <enderEmit><xLgr>Rua das Cargas</xLgr><nro>100</nro><xBairro>Centro</xBairro><cMun>3550308</cMun><xMun>SAO PAULO</xMun>\
        <UF>SP</UF></enderEmit><CRT>3</CRT></emit><rem><CNPJ>\(shipper.cnpj)</CNPJ><IE>110042490114</IE><xNome>\(shipper.name)</xNome>\
        <enderReme><xLgr>Av. Industrial</xLgr><nro>1</nro><xBairro>Distrito</xBairro><cMun>3550308</cMun><xMun>SAO PAULO</xMun>\
        <UF>SP</UF></enderReme></rem><dest><CNPJ>\(recipient)</CNPJ><IE>244123456110</IE><xNome>Empresa Teste Ltda</xNome>\
        <enderDest><xLgr>Rua do Destino</xLgr><nro>200</nro><xBairro>Centro</xBairro><cMun>3509502</cMun><xMun>CAMPINAS</xMun>\
        <UF>SP</UF></enderDest></dest><vPrest><vTPrest>\(value)</vTPrest><vRec>\(value)</vRec><Comp><xNome>FRETE VALOR</xNome>\
        <vComp>\(value)</vComp></Comp></vPrest><imp><ICMS><ICMS00><CST>00</CST><vBC>\(value)</vBC><pICMS>12.00</pICMS>\
        <vICMS>0.00</vICMS></ICMS00></ICMS></imp><infCTeNorm><infCarga><vCarga>1000.00</vCarga><proPred>Mercadorias</proPred>\
        <infQ><cUnid>01</cUnid><tpMed>PESO BRUTO</tpMed><qCarga>120.0000</qCarga></infQ></infCarga><infDoc><infNFe>\
        <chave>\(cargo)</chave></infNFe></infDoc><infModal versaoModal="4.00"><rodo><RNTRC>12345678</RNTRC></rodo></infModal>\
        </infCTeNorm></infCte></CTe><protCTe versao="4.00"><infProt><tpAmb>1</tpAmb><verAplic>SP-CTe-2026</verAplic>\
        <chCTe>\(key)</chCTe><dhRecbto>\(date)</dhRecbto><nProt>1352600\(String(format: "%08d", 50_000 + number))</nProt>\
        <digVal>\(Data(key.utf8.suffix(20)).base64EncodedString())</digVal><cStat>100</cStat>\
        <xMotivo>Autorizado o uso do CT-e</xMotivo></infProt></protCTe></cteProc>
        """
    }

    static func cteCancellation(key: String, carrier: String, date: String, number: Int) -> String {
        """
        <procEventoCTe xmlns="http://www.portalfiscal.inf.br/cte" versao="4.00"><eventoCTe versao="4.00">\
        <infEvento Id="ID110111\(key)001"><cOrgao>35</cOrgao><tpAmb>1</tpAmb><CNPJ>\(carrier)</CNPJ><chCTe>\(key)</chCTe>\
        <dhEvento>\(date)</dhEvento><tpEvento>110111</tpEvento><nSeqEvento>1</nSeqEvento><detEvento versaoEvento="4.00">\
        <evCancCTe><descEvento>Cancelamento</descEvento><nProt>1352600\(String(format: "%08d", 50_000 + number))</nProt>\
        <xJust>Servico de transporte nao realizado</xJust></evCancCTe></detEvento></infEvento></eventoCTe>\
        <retEventoCTe versao="4.00"><infEvento><tpAmb>1</tpAmb><verAplic>SP-CTe-2026</verAplic><cOrgao>35</cOrgao><cStat>135</cStat>\
        <xMotivo>Evento registrado e vinculado a CT-e</xMotivo><chCTe>\(key)</chCTe><tpEvento>110111</tpEvento><nSeqEvento>1</nSeqEvento>\
        <dhRegEvento>\(date)</dhRegEvento><nProt>1352600\(String(format: "%08d", 60_000 + number))</nProt></infEvento></retEventoCTe>\
        </procEventoCTe>
        """
    }
}
