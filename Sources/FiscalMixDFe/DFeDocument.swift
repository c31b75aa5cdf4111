public import FiscalMixCore
public import Foundation

/// A fiscal document read from a distribution payload: a summary (`resNFe`) or the full
/// authorised document (`nfeProc`, `cteProc`, or a bare `NFe`/`CTe`).
public struct DFeDocument: Sendable, Equatable {
    public enum Status: String, Sendable, Codable { case authorized, denied, cancelled }

    public var accessKey: AccessKey
    public var docType: FiscalDocType
    /// True for a summary (resNFe): the full XML is released only after a manifestação.
    public var isSummary: Bool
    public var number: Int64
    public var series: Int?
    public var issueDate: Date
    public var issuerCnpjCpf: String
    public var issuerName: String?
    public var recipientCnpjCpf: String?
    public var recipientName: String?
    public var totalValue: DecimalAmount
    public var status: Status
    /// Authorisation protocol (nProt), when the payload carries it.
    public var protocolNumber: String?
    /// The signature digest (digVal), shared by a summary and its full document.
    public var digestValue: String?
    /// 0 entrada / 1 saída, as the issuer declared it.
    public var operationType: Int?
}

/// A fiscal event read from a payload: a summary (`resEvento`) or the full event with its
/// registration (`procEventoNFe`, `procEventoCTe`, or a bare `evento`/`eventoCTe`).
public struct DFeEvent: Sendable, Equatable {
    public var accessKey: String
    public var code: String
    public var sequence: Int
    public var eventDate: Date
    public var protocolNumber: String?
    public var description: String?
    public var authorCnpjCpf: String?
    public var isSummary: Bool
    /// The registration status (retEvento cStat 135/136) when present.
    public var statusCode: Int?

    public init(
        accessKey: String, code: String, sequence: Int, eventDate: Date, protocolNumber: String?, description: String?,
        authorCnpjCpf: String?, isSummary: Bool, statusCode: Int?
    ) {
        self.accessKey = accessKey
        self.code = code
        self.sequence = sequence
        self.eventDate = eventDate
        self.protocolNumber = protocolNumber
        self.description = description
        self.authorCnpjCpf = authorCnpjCpf
        self.isSummary = isSummary
        self.statusCode = statusCode
    }

    /// The name FiscalMix stores in `fiscal_events.event_type`.
    public var eventType: String {
        switch code {
        case "110110": "cce"
        case "110111", "110112": "cancelamento"
        case "210200": "confirmacao"
        case "210210": "ciencia"
        case "210220": "desconhecimento"
        case "210240": "nao_realizada"
        case let other where other.hasPrefix("6106") || other.hasPrefix("6105"): "fisco_" + other
        default: "evento_" + code
        }
    }
}

/// What a distribution payload holds.
public enum DFePayload: Sendable, Equatable {
    case document(DFeDocument)
    case event(DFeEvent)
}
