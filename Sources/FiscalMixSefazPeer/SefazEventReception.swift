import FiscalMixDFe
import FiscalMixFiscal
import FiscalMixXML
import Foundation
import Hummingbird
import Synchronization

/// NFeRecepcaoEvento4 for the recipient's manifestação (docs/sefaz.md, "Manifestação do destinatário"): `envEvento` v1.00 in
/// `nfeDadosMsg`, each `evento` checked — Id (572), signature (297), certificate CNPJ root (631),
/// event type (491), exact description and justification rules (493/595), duplicates (573) — and
/// answered in a 128 lote with 135 and a protocol. A ciência, confirmação or operação não
/// realizada releases the company's withheld full XML into its distribution feed.
enum SefazEventReception {
    struct EventState {
        var registered: Set<String> = []
        /// Full nfeProc per access key, released by a manifestação: (recipient CNPJ, schema, xml).
        var withheld: [String: (cnpj: String, schema: String, xml: [UInt8])] = [:]
        var nextProtocol: Int64 = 891_260_000_000_001
        /// Register a repeat again with a new protocol instead of answering 573 (what a retry
        /// after a lost answer can meet on another authorisation path).
        var registersRepeats = false
    }

    static func respond(body: [UInt8], certificateCNPJ: String?, rules: RulesBox, now: Date) -> Response {
        let envelope: XElement
        do { envelope = try XReader.parse(body) } catch { return SefazPeer.fault(soap: SOAP.v12, "The request is not well-formed XML: \(error)") }
        let soap = envelope.namespace == SOAP.v11 ? SOAP.v11 : SOAP.v12
        guard let data = envelope.child("Body")?.child("nfeDadosMsg"), data.namespace == RecepcaoEvento.wsdlNamespace,
            let lote = data.child("envEvento"), lote.namespace == "http://www.portalfiscal.inf.br/nfe"
        else { return SefazPeer.fault(soap: soap, "Expected nfeDadosMsg/envEvento in the SOAP body.") }
        let environment = rules.state.withLock { $0.environment }
        func answer(_ status: Int, _ reason: String, _ events: [String] = []) -> Response {
            let xml =
                "<retEnvEvento xmlns=\"http://www.portalfiscal.inf.br/nfe\" versao=\"1.00\"><idLote>\(lote.child("idLote")?.text ?? "0")</idLote>"
                + "<tpAmb>\(environment)</tpAmb><verAplic>FISCALMIX_PEER_1.0</verAplic><cOrgao>91</cOrgao><cStat>\(status)</cStat>"
                + "<xMotivo>\(XMLText.escape(reason))</xMotivo>" + events.joined() + "</retEnvEvento>"
            return SefazPeer.soapResponse(
                soap: soap, "<nfeRecepcaoEventoNFResult xmlns=\"\(RecepcaoEvento.wsdlNamespace)\">\(xml)</nfeRecepcaoEventoNFResult>")
        }
        let events = lote.children("evento")
        guard lote.attribute("versao") == "1.00", let idLote = lote.child("idLote")?.text, (1...15).contains(idLote.count),
            idLote.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), (1...20).contains(events.count)
        else { return answer(215, "Rejeicao: Falha no schema XML (envEvento)") }
        let results = events.map { event in
            rules.state.withLock { state in register(event, certificateCNPJ: certificateCNPJ, environment: environment, state: &state, now: now) }
        }
        return answer(128, "Lote de evento processado", results)
    }

    /// One `retEvento` for one `evento`.
    static func register(_ event: XElement, certificateCNPJ: String?, environment: Int, state: inout SefazPeerRules, now: Date) -> String {
        let info = event.child("infEvento")
        let key = info?.child("chNFe")?.text ?? ""
        let code = info?.child("tpEvento")?.text ?? ""
        let sequence = Int(info?.child("nSeqEvento")?.text ?? "") ?? 0
        func reply(_ status: Int, _ reason: String, protocol number: String? = nil) -> String {
            var xml =
                "<retEvento versao=\"1.00\"><infEvento><tpAmb>\(environment)</tpAmb><verAplic>FISCALMIX_PEER_1.0</verAplic><cOrgao>91</cOrgao>"
                + "<cStat>\(status)</cStat><xMotivo>\(XMLText.escape(reason))</xMotivo><chNFe>\(key)</chNFe><tpEvento>\(code)</tpEvento>"
                + "<xEvento>\(XMLText.escape(ManifestationType(code: code)?.description ?? ""))</xEvento><nSeqEvento>\(sequence)</nSeqEvento>"
            if status == 135 { xml += "<CNPJDest>\(info?.child("CNPJ")?.text ?? "")</CNPJDest>" }
            xml += "<dhRegEvento>\(FiscalDateTime.brasilia(now))</dhRegEvento>"
            if let number { xml += "<nProt>\(number)</nProt>" }
            return xml + "</infEvento></retEvento>"
        }
        guard let info, event.attribute("versao") == "1.00", key.count == 44, (1...20).contains(sequence) else {
            return reply(215, "Rejeicao: Falha no schema XML")
        }
        let padded = sequence < 10 ? "0\(sequence)" : "\(sequence)"
        guard info.attribute("Id") == "ID\(code)\(key)\(padded)" else {
            return reply(572, "Rejeicao: Erro Atributo ID do evento nao corresponde a concatenacao dos campos (ID + tpEvento + chNFe + nSeqEvento)")
        }
        guard let type = ManifestationType(code: code) else { return reply(491, "Rejeicao: O tpEvento informado invalido") }
        let signer: String?
        do { signer = ICPBrasil.cnpj(of: try XMLSignature.verify(event).certificate) } catch {
            return reply(297, "Rejeicao: Assinatura difere do calculado (\(error.message))")
        }
        let author = info.child("CNPJ")?.text ?? info.child("CPF")?.text ?? ""
        guard let certificateCNPJ, certificateCNPJ.prefix(8) == author.prefix(8), signer?.prefix(8) == author.prefix(8) else {
            return reply(631, "Rejeicao: CNPJ-Base do Destinatario difere do CNPJ-Base do Certificado Digital")
        }
        guard info.child("detEvento")?.child("descEvento")?.text == type.description else {
            return reply(493, "Rejeicao: Evento nao atende o Schema XML especifico")
        }
        let justification = info.child("detEvento")?.child("xJust")?.text
        switch (type.justification, justification) {
        case (.forbidden, .some): return reply(493, "Rejeicao: Evento nao atende o Schema XML especifico")
        case (.required, nil): return reply(595, "Rejeicao: Obrigatoria a informacao da justificativa do evento")
        case (_, .some(let text)) where !(15...255).contains(text.count): return reply(493, "Rejeicao: Evento nao atende o Schema XML especifico")
        default: break
        }
        let registration = "\(key)|\(code)|\(sequence)"
        guard state.events.registersRepeats || !state.events.registered.contains(registration) else {
            return reply(573, "Rejeicao: Duplicidade de evento")
        }
        state.events.registered.insert(registration)
        let number = state.events.nextProtocol
        state.events.nextProtocol += 1
        if type.releasesFullXML, let full = state.events.withheld.removeValue(forKey: key) {
            state.append(.init(nsu: state.maxNSU(for: full.cnpj) + 1, schema: full.schema, xml: full.xml), for: full.cnpj)
        }
        return reply(135, "Evento registrado e vinculado a NF-e", protocol: String(number))
    }
}
