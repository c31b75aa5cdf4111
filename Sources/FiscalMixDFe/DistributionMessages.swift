import FiscalMixXML

/// The distribution services of the Ambiente Nacional (docs/sefaz.md, "Distribution"): NF-e (`distDFeInt`
/// v1.01) and CT-e (v1.00), their SOAP wrappers and answers.
public enum DistributionService: String, Sendable, CaseIterable {
    case nfe, cte

    public var dataNamespace: String { self == .nfe ? "http://www.portalfiscal.inf.br/nfe" : "http://www.portalfiscal.inf.br/cte" }
    public var wsdlNamespace: String {
        self == .nfe ? "http://www.portalfiscal.inf.br/nfe/wsdl/NFeDistribuicaoDFe" : "http://www.portalfiscal.inf.br/cte/wsdl/CTeDistribuicaoDFe"
    }
    public var operation: String { self == .nfe ? "nfeDistDFeInteresse" : "cteDistDFeInteresse" }
    public var dataElement: String { self == .nfe ? "nfeDadosMsg" : "cteDadosMsg" }
    public var version: String { self == .nfe ? "1.01" : "1.00" }
    public var soapAction: String { "\(wsdlNamespace)/\(operation)" }
    public var path: String { self == .nfe ? "/NFeDistribuicaoDFe/NFeDistribuicaoDFe.asmx" : "/CTeDistribuicaoDFe/CTeDistribuicaoDFe.asmx" }

    /// The production and homologação endpoints.
    public func endpoint(production: Bool) -> String {
        switch (self, production) {
        case (.nfe, true): "https://www1.nfe.fazenda.gov.br" + path
        case (.nfe, false): "https://hom1.nfe.fazenda.gov.br" + path
        case (.cte, true): "https://www1.cte.fazenda.gov.br" + path
        case (.cte, false): "https://hom1.cte.fazenda.gov.br" + path
        }
    }
}

/// A `distDFeInt` request.
public struct DistributionRequest: Sendable, Equatable {
    public enum Query: Sendable, Equatable {
        /// Everything after this NSU (the last `ultNSU` returned).
        case after(nsu: Int64)
        /// One NSU (gap filling; at most 20 an hour).
        case nsu(Int64)
        /// One NF-e by key (NF-e only).
        case accessKey(String)
    }

    public var service: DistributionService
    public var environment: Int
    public var ufCode: Int?
    public var cnpj: String
    public var query: Query

    public init(service: DistributionService, environment: Int, ufCode: Int?, cnpj: String, query: Query) {
        self.service = service
        self.environment = environment
        self.ufCode = ufCode
        self.cnpj = cnpj
        self.query = query
    }

    public static func nsuText(_ nsu: Int64) -> String {
        let digits = String(nsu)
        return String(repeating: "0", count: max(0, 15 - digits.count)) + digits
    }

    /// The `distDFeInt` element, with no whitespace between tags (SEFAZ rejects it: 588).
    public var xml: String {
        var body = "<distDFeInt xmlns=\"\(service.dataNamespace)\" versao=\"\(service.version)\"><tpAmb>\(environment)</tpAmb>"
        if let ufCode { body += "<cUFAutor>\(ufCode)</cUFAutor>" }
        body += cnpj.count == 11 ? "<CPF>\(cnpj)</CPF>" : "<CNPJ>\(XMLText.escape(cnpj))</CNPJ>"
        switch query {
        case .after(let nsu): body += "<distNSU><ultNSU>\(Self.nsuText(nsu))</ultNSU></distNSU>"
        case .nsu(let nsu): body += "<consNSU><NSU>\(Self.nsuText(nsu))</NSU></consNSU>"
        case .accessKey(let key): body += "<consChNFe><chNFe>\(XMLText.escape(key))</chNFe></consChNFe>"
        }
        return body + "</distDFeInt>"
    }

    /// The SOAP 1.2 envelope and its content type, as sped-nfe sends them.
    public var soap12: (body: [UInt8], contentType: String) {
        let envelope =
            "<soap12:Envelope xmlns:soap12=\"\(SOAP.v12)\"><soap12:Body><\(service.operation) xmlns=\"\(service.wsdlNamespace)\">"
            + "<\(service.dataElement)>\(xml)</\(service.dataElement)></\(service.operation)></soap12:Body></soap12:Envelope>"
        return (Array(envelope.utf8), "application/soap+xml; charset=utf-8; action=\"\(service.soapAction)\"")
    }
}

/// A `retDistDFeInt` answer.
public struct DistributionResponse: Sendable, Equatable {
    public struct Document: Sendable, Equatable {
        public var nsu: Int64?
        public var schema: String
        /// base64 of the gzip stream, as sent.
        public var zipBase64: String
    }

    public var environment: Int
    public var statusCode: Int
    public var reason: String
    public var respondedAt: String?
    public var lastNSU: Int64
    public var maxNSU: Int64
    public var documents: [Document]

    public init(environment: Int, statusCode: Int, reason: String, respondedAt: String?, lastNSU: Int64, maxNSU: Int64, documents: [Document]) {
        self.environment = environment
        self.statusCode = statusCode
        self.reason = reason
        self.respondedAt = respondedAt
        self.lastNSU = lastNSU
        self.maxNSU = maxNSU
        self.documents = documents
    }

    /// Reads the answer out of a SOAP 1.1 or 1.2 envelope (or a bare `retDistDFeInt`).
    public static func parse(_ bytes: [UInt8]) throws(DFeParseError) -> DistributionResponse {
        let root: XElement
        do { root = try XReader.parse(bytes) } catch { throw DFeParseError(.malformedXML, error.description) }
        if let fault = root.first("Fault") {
            throw DFeParseError(.invalidField, "SOAP fault: \(fault.first("Text")?.text ?? fault.first("faultstring")?.text ?? "no reason")")
        }
        guard let answer = root.first("retDistDFeInt") else { throw DFeParseError(.missingField, "The answer holds no retDistDFeInt.") }
        guard let status = Int(answer.child("cStat")?.text ?? "") else { throw DFeParseError(.missingField, "retDistDFeInt has no cStat.") }
        var documents: [Document] = []
        for zip in answer.child("loteDistDFeInt")?.children("docZip") ?? [] {
            documents.append(
                Document(
                    nsu: zip.attribute("NSU").flatMap { Int64($0) }, schema: zip.attribute("schema") ?? "",
                    zipBase64: zip.text))
        }
        return DistributionResponse(
            environment: Int(answer.child("tpAmb")?.text ?? "") ?? 0, statusCode: status,
            reason: answer.child("xMotivo")?.text ?? "", respondedAt: answer.child("dhResp")?.text,
            lastNSU: Int64(answer.child("ultNSU")?.text ?? "") ?? 0,
            maxNSU: Int64(answer.child("maxNSU")?.text ?? "") ?? 0, documents: documents)
    }
}

public enum SOAP {
    public static let v11 = "http://schemas.xmlsoap.org/soap/envelope/"
    public static let v12 = "http://www.w3.org/2003/05/soap-envelope"
}

/// Escaping for text built into XML by hand.
public enum XMLText {
    public static func escape(_ text: String) -> String {
        var output: [UInt8] = []
        Canonicalizer.escapeText(text, into: &output)
        return String(decoding: output, as: UTF8.self)
    }
}
