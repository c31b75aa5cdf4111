import FiscalMixCore
import FiscalMixXML

/// resNFe (summary) and NFe / nfeProc (full document) fields, as docs/sefaz.md lists them.
enum NFeReader {
    static func summary(_ root: XElement) throws(DFeParseError) -> DFeDocument {
        let key = try DFeParser.accessKey(try DFeParser.text(root, "chNFe"), field: "chNFe")
        let situation = root.child("cSitNFe")?.text
        return DFeDocument(
            accessKey: key, docType: FiscalDocType(model: key.model) ?? .NFE, isSummary: true,
            number: Int64(key.number), series: key.series, issueDate: try DFeParser.date(root, "dhEmi"),
            issuerCnpjCpf: DFeParser.party(root) ?? key.issuer, issuerName: root.child("xNome")?.text,
            recipientCnpjCpf: nil, recipientName: nil,
            totalValue: try DFeParser.amount(try DFeParser.text(root, "vNF"), field: "vNF"),
            status: situation == "2" ? .denied : situation == "3" ? .cancelled : .authorized,
            protocolNumber: root.child("nProt")?.text, digestValue: root.child("digVal")?.text,
            operationType: root.child("tpNF").flatMap { Int($0.text) })
    }

    static func full(nfe: XElement, protocol prot: XElement?) throws(DFeParseError) -> DFeDocument {
        let info = try DFeParser.required(nfe, "infNFe")
        let ide = try DFeParser.required(info, "ide")
        let infoProt = prot?.child("infProt")
        let keyText: String
        if let id = info.attribute("Id"), id.hasPrefix("NFe") {
            keyText = String(id.dropFirst(3))
        } else if let fromProtocol = infoProt?.child("chNFe")?.text {
            keyText = fromProtocol
        } else {
            throw DFeParseError(.missingField, "<infNFe> has no Id and there is no protocol.")
        }
        let key = try DFeParser.accessKey(keyText, field: "infNFe/@Id")
        let emit = info.child("emit")
        let dest = info.child("dest")
        let status: DFeDocument.Status =
            switch infoProt?.child("cStat")?.text {
            case "110", "205", "301", "302", "303": .denied
            case "101", "151", "155": .cancelled
            default: .authorized
            }
        let model = Int(ide.child("mod")?.text ?? "") ?? key.model
        return DFeDocument(
            accessKey: key, docType: FiscalDocType(model: model) ?? .NFE, isSummary: false,
            number: try DFeParser.integer(try DFeParser.text(ide, "nNF"), field: "nNF"),
            series: ide.child("serie").flatMap { Int($0.text) },
            issueDate: try DFeParser.date(ide, "dhEmi", "dEmi"),
            issuerCnpjCpf: DFeParser.party(emit) ?? key.issuer, issuerName: emit?.child("xNome")?.text,
            recipientCnpjCpf: DFeParser.party(dest), recipientName: dest?.child("xNome")?.text,
            totalValue: try DFeParser.amount(try DFeParser.text(info, "total", "ICMSTot", "vNF"), field: "vNF"),
            status: status, protocolNumber: infoProt?.child("nProt")?.text,
            digestValue: infoProt?.child("digVal")?.text ?? nfe.child("Signature")?.first("DigestValue")?.text,
            operationType: ide.child("tpNF").flatMap { Int($0.text) })
    }
}
