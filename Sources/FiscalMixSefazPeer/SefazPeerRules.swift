public import FiscalMixDFe
public import Foundation

/// The Ambiente Nacional's distribution behaviour for one peer: the feed per CNPJ and the
/// consumption rules of NT 2014.002 (docs/sefaz.md, "Distribution"), decided without any I/O so the rules
/// can be read in one place.
public struct SefazPeerRules: Sendable {
    public struct FeedDocument: Sendable {
        public var nsu: Int64
        public var schema: String
        public var xml: [UInt8]
        /// Sent as the docZip instead of gzip(xml): corrupt or hostile payloads.
        public var rawZip: [UInt8]?
        public init(nsu: Int64, schema: String, xml: [UInt8], rawZip: [UInt8]? = nil) {
            self.nsu = nsu
            self.schema = schema
            self.xml = xml
            self.rawZip = rawZip
        }
    }

    struct Consumer {
        var lastReturnedNSU: Int64?
        /// After 137 or catching up: a distNSU before this instant answers 656 (and moves it).
        var quietUntil: Date?
        var spotQueries: [Date] = []
        var blocked656 = 0
    }

    public var environment = 1
    /// NSU-ordered feed per service and CNPJ (each service has its own NSU sequence).
    var feeds: [String: [FeedDocument]] = [:]
    var consumers: [String: Consumer] = [:]
    /// The `ultNSU` of each consumer's previous distNSU, which may be asked again once (a client
    /// retrying after losing the answer, e.g. a crash before it committed).
    var previousAsked: [String: Int64] = [:]

    static func feedKey(_ service: DistributionService, _ cnpj: String) -> String { "\(service.rawValue):\(cnpj)" }
    public private(set) var answered656 = 0
    /// Manifestação events registered and full XMLs waiting for one (`SefazEventReception`).
    var events = SefazEventReception.EventState()
    public private(set) var answeredStatuses: [Int] = []

    public init() {}

    public mutating func append(_ document: FeedDocument, for cnpj: String, service: DistributionService = .nfe) {
        let key = Self.feedKey(service, cnpj)
        let inOrder = (feeds[key]?.last?.nsu ?? Int64.min) < document.nsu
        feeds[key, default: []].append(document)
        if !inOrder { feeds[key]!.sort { $0.nsu < $1.nsu } }
    }

    public func maxNSU(for cnpj: String, service: DistributionService = .nfe) -> Int64 { feeds[Self.feedKey(service, cnpj)]?.last?.nsu ?? 0 }

    public struct Answer: Sendable {
        public var status: Int
        public var reason: String
        public var lastNSU: Int64
        public var maxNSU: Int64
        public var documents: [FeedDocument]
    }

    /// Decides the answer to a parsed `distDFeInt` from a client whose certificate names `certificateCNPJ`.
    public mutating func answer(_ request: PeerDistributionRequest, certificateCNPJ: String?, now: Date) -> Answer {
        let answer = decide(request, certificateCNPJ: certificateCNPJ, now: now)
        answeredStatuses.append(answer.status)
        return answer
    }

    mutating func decide(_ request: PeerDistributionRequest, certificateCNPJ: String?, now: Date) -> Answer {
        let key = Self.feedKey(request.service, request.cnpj)
        let maxNSU = maxNSU(for: request.cnpj, service: request.service)
        func reply(_ status: Int, _ reason: String, last: Int64 = 0, max: Int64? = nil, documents: [FeedDocument] = []) -> Answer {
            Answer(status: status, reason: reason, lastNSU: last, maxNSU: max ?? maxNSU, documents: documents)
        }
        guard request.environment == environment else { return reply(252, "Rejeicao: Ambiente informado diverge do Ambiente de recebimento") }
        guard let certificateCNPJ, certificateCNPJ.prefix(8) == request.cnpj.prefix(8) else {
            return reply(593, "Rejeicao: CNPJ-Base consultado difere do CNPJ-Base do Certificado Digital")
        }
        var consumer = consumers[key] ?? Consumer()
        defer { consumers[key] = consumer }
        func consumo(_ text: String) -> Answer {
            // Since NT v1.14 the 656 carries the last ultNSU used and maxNSU zero; the hour restarts.
            answered656 += 1
            consumer.quietUntil = now.addingTimeInterval(3600)
            return reply(656, "Rejeicao: Consumo Indevido (\(text)). Tente apos 1 hora", last: consumer.lastReturnedNSU ?? 0, max: 0)
        }
        let feed = feeds[key] ?? []
        switch request.query {
        case .after(let ultNSU):
            if let quiet = consumer.quietUntil, now < quiet {
                return consumo("Deve ser aguardado 1 hora para efetuar nova solicitacao caso nao existam mais documentos a serem pesquisados")
            }
            // The sequence: the ultNSU last answered, or (once) the one asked just before — the
            // same question again, as a client that lost the answer asks it.
            if let last = consumer.lastReturnedNSU, ultNSU != last, ultNSU != previousAsked[key] {
                return consumo("Deve ser utilizado o ultNSU nas solicitacoes subsequentes")
            }
            previousAsked[key] = ultNSU
            guard ultNSU <= maxNSU else {
                return reply(589, "Rejeicao: Numero do NSU informado superior ao maior NSU da base de dados do Ambiente Nacional", last: maxNSU)
            }
            let batch = Array(feed.lazy.filter { $0.nsu > ultNSU }.prefix(50))
            guard let last = batch.last else {
                consumer.lastReturnedNSU = maxNSU
                consumer.quietUntil = now.addingTimeInterval(3600)
                return reply(137, "Nenhum documento localizado", last: maxNSU)
            }
            consumer.lastReturnedNSU = last.nsu
            if last.nsu >= maxNSU { consumer.quietUntil = now.addingTimeInterval(3600) }
            return reply(138, "Documento(s) localizado(s)", last: last.nsu, documents: batch)
        case .nsu(let nsu):
            consumer.spotQueries = consumer.spotQueries.filter { now.timeIntervalSince($0) < 3600 } + [now]
            if consumer.spotQueries.count > 20 { return consumo("ultrapassou o limite de 20 consultas por hora") }
            guard let document = feed.first(where: { $0.nsu == nsu }) else { return reply(137, "Nenhum documento localizado", last: nsu) }
            return reply(138, "Documento localizado", last: nsu, documents: [document])
        case .accessKey(let key):
            consumer.spotQueries = consumer.spotQueries.filter { now.timeIntervalSince($0) < 3600 } + [now]
            if consumer.spotQueries.count > 20 { return consumo("ultrapassou o limite de 20 consultas por hora") }
            let matches = feed.filter { doc in String(decoding: doc.xml, as: UTF8.self).contains(key) && doc.schema.hasPrefix("procNFe") }
            guard let document = matches.last else { return reply(217, "Rejeicao: NF-e inexistente para o numero de chave de acesso informado") }
            return reply(138, "Documento localizado", last: 0, documents: [document])
        }
    }
}

/// A `distDFeInt` as the peer read it (validated against the schema's patterns).
public struct PeerDistributionRequest: Sendable {
    public var service: DistributionService = .nfe
    public var environment: Int
    public var cnpj: String
    public var query: DistributionRequest.Query
}
