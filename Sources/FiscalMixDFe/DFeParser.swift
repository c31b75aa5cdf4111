import FiscalMixCore
public import FiscalMixXML
import Foundation

/// Reads a distribution payload (or any stored fiscal XML) by its root element — never by the
/// `schema` attribute's exact text, which SEFAZ has changed across versions.
public enum DFeParser {
    /// The roots the parser knows, and what each is.
    public static let knownRoots: Set<String> = [
        "resNFe", "nfeProc", "NFe", "resEvento", "procEventoNFe", "evento",
        "cteProc", "CTe", "cteOSProc", "CTeOS", "procEventoCTe", "eventoCTe",
    ]

    public static func parse(_ bytes: [UInt8], limits: XMLLimits = XMLLimits()) throws(DFeParseError) -> DFePayload {
        let root: XElement
        do {
            root = try XReader.parse(bytes, limits: limits)
        } catch {
            throw DFeParseError(.malformedXML, error.description)
        }
        return try parse(root)
    }

    public static func parse(_ root: XElement) throws(DFeParseError) -> DFePayload {
        switch root.localName {
        case "resNFe": return .document(try NFeReader.summary(root))
        case "nfeProc": return .document(try NFeReader.full(nfe: try required(root, "NFe"), protocol: root.child("protNFe")))
        case "NFe": return .document(try NFeReader.full(nfe: root, protocol: nil))
        case "cteProc": return .document(try CTeReader.full(cte: try required(root, "CTe"), protocol: root.child("protCTe")))
        case "cteOSProc": return .document(try CTeReader.full(cte: try required(root, "CTeOS"), protocol: root.child("protCTe")))
        case "CTe", "CTeOS": return .document(try CTeReader.full(cte: root, protocol: nil))
        case "resEvento": return .event(try EventReader.summary(root))
        case "procEventoNFe": return .event(try EventReader.full(event: try required(root, "evento"), registration: root.child("retEvento")))
        case "procEventoCTe": return .event(try EventReader.full(event: try required(root, "eventoCTe"), registration: root.child("retEventoCTe")))
        case "evento", "eventoCTe": return .event(try EventReader.full(event: root, registration: nil))
        default: throw DFeParseError(.unknownRoot, "Unknown payload root <\(root.localName)>.")
        }
    }

    // MARK: shared field readers

    static func required(_ element: XElement, _ path: String...) throws(DFeParseError) -> XElement {
        guard let found = element.descendant(path) else {
            throw DFeParseError(.missingField, "<\(element.localName)> has no \(path.joined(separator: "/")).")
        }
        return found
    }

    static func text(_ element: XElement, _ path: String...) throws(DFeParseError) -> String {
        guard let found = element.descendant(path) else {
            throw DFeParseError(.missingField, "<\(element.localName)> has no \(path.joined(separator: "/")).")
        }
        return found.text
    }

    static func date(_ element: XElement, _ names: String...) throws(DFeParseError) -> Date {
        for name in names {
            guard let raw = element.child(name)?.text else { continue }
            guard let date = FiscalDateTime.parse(raw) else {
                throw DFeParseError(.invalidField, "<\(name)> '\(raw.prefix(40))' is not a date-time.")
            }
            return date
        }
        throw DFeParseError(.missingField, "<\(element.localName)> has no \(names.joined(separator: " or ")).")
    }

    static func accessKey(_ raw: String, field: String) throws(DFeParseError) -> AccessKey {
        do {
            return try AccessKey(raw)
        } catch {
            throw DFeParseError(.invalidField, "<\(field)> '\(raw.prefix(60))' is not a valid access key.")
        }
    }

    static func amount(_ raw: String, field: String) throws(DFeParseError) -> DecimalAmount {
        guard let amount = DecimalAmount(raw) else { throw DFeParseError(.invalidField, "<\(field)> '\(raw.prefix(40))' is not a decimal.") }
        return amount
    }

    static func integer(_ raw: String, field: String) throws(DFeParseError) -> Int64 {
        guard let value = Int64(raw) else { throw DFeParseError(.invalidField, "<\(field)> '\(raw.prefix(40))' is not a number.") }
        return value
    }

    /// The CNPJ, CPF or foreign id of a party element.
    static func party(_ element: XElement?) -> String? {
        guard let element else { return nil }
        return element.child("CNPJ")?.text ?? element.child("CPF")?.text ?? element.child("idEstrangeiro")?.text
    }
}
