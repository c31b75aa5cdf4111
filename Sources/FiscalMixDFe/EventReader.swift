import FiscalMixXML

/// resEvento (summary) and procEventoNFe / procEventoCTe / evento (full) fields.
enum EventReader {
    static func summary(_ root: XElement) throws(DFeParseError) -> DFeEvent {
        DFeEvent(
            accessKey: try key(root), code: try DFeParser.text(root, "tpEvento"),
            sequence: Int(root.child("nSeqEvento")?.text ?? "1") ?? 1,
            eventDate: try DFeParser.date(root, "dhEvento"), protocolNumber: root.child("nProt")?.text,
            description: root.child("xEvento")?.text, authorCnpjCpf: DFeParser.party(root), isSummary: true, statusCode: nil)
    }

    static func full(event: XElement, registration: XElement?) throws(DFeParseError) -> DFeEvent {
        let info = try DFeParser.required(event, "infEvento")
        let registered = registration?.child("infEvento")
        return DFeEvent(
            accessKey: try key(info), code: try DFeParser.text(info, "tpEvento"),
            sequence: Int(info.child("nSeqEvento")?.text ?? "1") ?? 1,
            eventDate: try DFeParser.date(info, "dhEvento"),
            protocolNumber: registered?.child("nProt")?.text,
            // NF-e events hold descEvento directly in detEvento; CT-e events one level down (evCancCTe …).
            description: info.child("detEvento")?.first("descEvento")?.text ?? registered?.child("xEvento")?.text,
            authorCnpjCpf: DFeParser.party(info), isSummary: false,
            statusCode: registered?.child("cStat").flatMap { Int($0.text) })
    }

    /// NF-e events carry chNFe; CT-e events, and CT-e events propagated to an NF-e, chCTe.
    private static func key(_ element: XElement) throws(DFeParseError) -> String {
        guard let raw = element.child("chNFe")?.text ?? element.child("chCTe")?.text ?? element.child("chMDFe")?.text else {
            throw DFeParseError(.missingField, "<\(element.localName)> has no chNFe/chCTe.")
        }
        _ = try DFeParser.accessKey(raw, field: "chNFe")
        return raw
    }
}
