import FiscalMixXML
public import Foundation

/// The recipient's manifestação (docs/sefaz.md, "Manifestação do destinatário"): the four events, their exact ASCII
/// descriptions and justification rules, the `evento` to sign, and NFeRecepcaoEvento4's envelope
/// and answer.
public enum ManifestationType: String, Sendable, Codable, CaseIterable {
    case ciencia, confirmacao, desconhecimento, naoRealizada = "nao_realizada"

    public var code: String {
        switch self {
        case .confirmacao: "210200"
        case .ciencia: "210210"
        case .desconhecimento: "210220"
        case .naoRealizada: "210240"
        }
    }

    /// `descEvento`, exactly (an accent is rejection 493).
    public var description: String {
        switch self {
        case .confirmacao: "Confirmacao da Operacao"
        case .ciencia: "Ciencia da Operacao"
        case .desconhecimento: "Desconhecimento da Operacao"
        case .naoRealizada: "Operacao nao Realizada"
        }
    }

    public enum Justification: Sendable { case forbidden, optional, required }

    /// `xJust`: not allowed on 210200/210210 (493), optional on 210220, required on 210240.
    public var justification: Justification {
        switch self {
        case .confirmacao, .ciencia: .forbidden
        case .desconhecimento: .optional
        case .naoRealizada: .required
        }
    }

    /// Ciência, confirmação and operação não realizada release the full XML; desconhecimento does not.
    public var releasesFullXML: Bool { self != .desconhecimento }

    public init?(code: String) {
        guard let type = Self.allCases.first(where: { $0.code == code }) else { return nil }
        self = type
    }
}

/// One manifestação event before signing.
public struct ManifestationEvent: Sendable {
    public var accessKey: String
    /// The recipient (author): CNPJ with 14 characters or CPF with 11.
    public var author: String
    public var environment: Int
    public var type: ManifestationType
    public var justification: String?
    public var sequence: Int
    public var date: Date

    public init(
        accessKey: String, author: String, environment: Int, type: ManifestationType, justification: String?, sequence: Int = 1,
        date: Date
    ) {
        self.accessKey = accessKey
        self.author = author
        self.environment = environment
        self.type = type
        self.justification = justification
        self.sequence = sequence
        self.date = date
    }

    /// "ID" + tpEvento + chNFe + nSeqEvento padded to 2 (54 characters).
    public var id: String { "ID\(type.code)\(accessKey)\(sequence < 10 ? "0" : "")\(sequence)" }

    /// Checks the justification rule; returns a message when it is broken.
    public var justificationProblem: String? {
        let text = justification?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        switch type.justification {
        case .forbidden where !text.isEmpty: return "\(type.rawValue) takes no justificativa (SEFAZ rejects it with 493)."
        case .required where text.isEmpty: return "\(type.rawValue) needs a justificativa of 15 to 255 characters."
        default: break
        }
        if !text.isEmpty, !(15...255).contains(text.count) { return "A justificativa has 15 to 255 characters." }
        return nil
    }

    /// The unsigned `<evento>` (cOrgao 91, the Ambiente Nacional).
    public var xml: String {
        let party = author.count == 11 ? "<CPF>\(author)</CPF>" : "<CNPJ>\(author)</CNPJ>"
        var detail = "<descEvento>\(type.description)</descEvento>"
        if let text = justification?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty, type.justification != .forbidden {
            detail += "<xJust>\(XMLText.escape(text))</xJust>"
        }
        return "<evento xmlns=\"http://www.portalfiscal.inf.br/nfe\" versao=\"1.00\"><infEvento Id=\"\(id)\"><cOrgao>91</cOrgao>"
            + "<tpAmb>\(environment)</tpAmb>\(party)<chNFe>\(accessKey)</chNFe><dhEvento>\(FiscalDateTime.brasilia(date))</dhEvento>"
            + "<tpEvento>\(type.code)</tpEvento><nSeqEvento>\(sequence)</nSeqEvento><verEvento>1.00</verEvento>"
            + "<detEvento versao=\"1.00\">\(detail)</detEvento></infEvento></evento>"
    }
}

/// NFeRecepcaoEvento4 (§4.2): `nfeDadosMsg` directly under the SOAP 1.2 body.
public enum RecepcaoEvento {
    public static let wsdlNamespace = "http://www.portalfiscal.inf.br/nfe/wsdl/NFeRecepcaoEvento4"
    public static let action = wsdlNamespace + "/nfeRecepcaoEventoNF"
    public static let path = "/NFeRecepcaoEvento4/NFeRecepcaoEvento4.asmx"

    public static func endpoint(production: Bool) -> String {
        production ? "https://www.nfe.fazenda.gov.br" + path : "https://hom1.nfe.fazenda.gov.br" + path
    }

    /// The envelope around signed `<evento>`s.
    public static func request(signedEvents: [String], lote: Int64) -> (body: [UInt8], contentType: String) {
        let envelope =
            "<soap12:Envelope xmlns:soap12=\"\(SOAP.v12)\"><soap12:Body><nfeDadosMsg xmlns=\"\(wsdlNamespace)\">"
            + "<envEvento xmlns=\"http://www.portalfiscal.inf.br/nfe\" versao=\"1.00\"><idLote>\(lote)</idLote>"
            + signedEvents.joined() + "</envEvento></nfeDadosMsg></soap12:Body></soap12:Envelope>"
        return (Array(envelope.utf8), "application/soap+xml; charset=utf-8; action=\"\(action)\"")
    }

    /// One event's registration (`retEvento`).
    public struct Registration: Sendable {
        public var status: Int
        public var reason: String
        public var protocolNumber: String?
        public var registeredAt: Date?
        /// The `<retEvento>` as canonical XML (for the stored procEventoNFe).
        public var xml: String
    }

    public struct Answer: Sendable {
        public var status: Int
        public var reason: String
        public var registrations: [Registration]
    }

    public static func parseAnswer(_ bytes: [UInt8]) throws(DFeParseError) -> Answer {
        let root: XElement
        do { root = try XReader.parse(bytes) } catch { throw DFeParseError(.malformedXML, "\(error)") }
        guard let ret = root.first("retEnvEvento"), let status = ret.child("cStat").flatMap({ Int($0.text) }) else {
            throw DFeParseError(.missingField, "The answer has no retEnvEvento/cStat.")
        }
        let registrations = ret.children("retEvento").map { element -> Registration in
            let info = element.child("infEvento")
            return Registration(
                status: info?.child("cStat").flatMap { Int($0.text) } ?? 0, reason: info?.child("xMotivo")?.text ?? "",
                protocolNumber: info?.child("nProt")?.text, registeredAt: info?.child("dhRegEvento").flatMap { FiscalDateTime.parse($0.text) },
                xml: String(
                    decoding: Canonicalizer.canonicalize(
                        element, inScope: [XNamespaceDeclaration(prefix: nil, uri: "http://www.portalfiscal.inf.br/nfe")]),
                    as: UTF8.self))
        }
        return Answer(status: status, reason: ret.child("xMotivo")?.text ?? "", registrations: registrations)
    }
}
