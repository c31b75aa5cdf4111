import FiscalMixCore
import FiscalMixXML

/// CTe / CTeOS and their cteProc / cteOSProc wrappers.
enum CTeReader {
    static func full(cte: XElement, protocol prot: XElement?) throws(DFeParseError) -> DFeDocument {
        let info = try DFeParser.required(cte, "infCte")
        let ide = try DFeParser.required(info, "ide")
        let infoProt = prot?.child("infProt")
        guard let id = info.attribute("Id"), id.hasPrefix("CTe") else { throw DFeParseError(.missingField, "<infCte> has no Id.") }
        let key = try DFeParser.accessKey(String(id.dropFirst(3)), field: "infCte/@Id")
        let emit = info.child("emit")
        // The CT-e recipient is `dest`; a CT-e OS (and some CT-e) only name the taker.
        let recipient = info.child("dest") ?? info.child("toma") ?? ide.child("toma4")
        let value = info.descendant("vPrest", "vTPrest")?.text
        guard let value else { throw DFeParseError(.missingField, "<infCte> has no vPrest/vTPrest.") }
        let status: DFeDocument.Status =
            switch infoProt?.child("cStat")?.text {
            case "110", "301", "302": .denied
            case "101": .cancelled
            default: .authorized
            }
        return DFeDocument(
            accessKey: key, docType: .CTE, isSummary: false,
            number: try DFeParser.integer(try DFeParser.text(ide, "nCT"), field: "nCT"),
            series: ide.child("serie").flatMap { Int($0.text) },
            issueDate: try DFeParser.date(ide, "dhEmi"),
            issuerCnpjCpf: DFeParser.party(emit) ?? key.issuer, issuerName: emit?.child("xNome")?.text,
            recipientCnpjCpf: DFeParser.party(recipient), recipientName: recipient?.child("xNome")?.text,
            totalValue: try DFeParser.amount(value, field: "vTPrest"),
            status: status, protocolNumber: infoProt?.child("nProt")?.text,
            digestValue: infoProt?.child("digVal")?.text, operationType: nil)
    }
}
