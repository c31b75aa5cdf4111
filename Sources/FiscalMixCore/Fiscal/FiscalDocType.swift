/// The kinds of fiscal document FiscalMix stores (docs/data-model.md `doc_type`).
public enum FiscalDocType: String, Sendable, Codable, CaseIterable {
    case NFE, NFCE, CTE, MDFE, NFSE

    /// The document type an access key's model (positions 21–22) names.
    public init?(model: Int) {
        switch model {
        case 55: self = .NFE
        case 65: self = .NFCE
        case 57, 67: self = .CTE
        case 58: self = .MDFE
        default: return nil
        }
    }
}
