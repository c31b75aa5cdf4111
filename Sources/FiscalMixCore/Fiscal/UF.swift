/// The 27 federative units and their IBGE codes (used as `cUF` in SEFAZ messages).
public enum UF: String, Sendable, Codable, CaseIterable {
    case RO, AC, AM, RR, PA, AP, TO, MA, PI, CE, RN, PB, PE, AL, SE, BA, MG, ES, RJ, SP, PR, SC, RS, MS, MT, GO, DF

    public var ibgeCode: Int {
        switch self {
        case .RO: 11;
        case .AC: 12;
        case .AM: 13;
        case .RR: 14;
        case .PA: 15;
        case .AP: 16;
        case .TO: 17
        case .MA: 21;
        case .PI: 22;
        case .CE: 23;
        case .RN: 24;
        case .PB: 25;
        case .PE: 26;
        case .AL: 27
        case .SE: 28;
        case .BA: 29;
        case .MG: 31;
        case .ES: 32;
        case .RJ: 33;
        case .SP: 35
        case .PR: 41;
        case .SC: 42;
        case .RS: 43;
        case .MS: 50;
        case .MT: 51;
        case .GO: 52;
        case .DF: 53
        }
    }

    public init?(ibgeCode: Int) {
        guard let uf = UF.allCases.first(where: { $0.ibgeCode == ibgeCode }) else { return nil }
        self = uf
    }
}
