import FiscalMixCore
import Testing

@Suite struct CNPJTests {
    @Test func acceptsNumericCNPJWithPunctuation() throws {
        let cnpj = try CNPJ("11.222.333/0001-81")
        #expect(cnpj.value == "11222333000181")
        #expect(cnpj.root == "11222333")
    }

    @Test func acceptsAlphanumericCNPJFromReceitaExample() throws {
        // The example of IN RFB 2.229/2024: letters in the first 12 positions.
        #expect(try CNPJ("12.ABC.345/01DE-35").value == "12ABC34501DE35")
        #expect(try CNPJ("12abc34501de35").value == "12ABC34501DE35")
    }

    @Test(arguments: [
        "11222333000182", "12ABC34501DE36", "1122233300018", "112223330001811", "00000000000000", "11222333000A81", "12ABC34501DE3A",
        "11.222.333/0001-8!",
    ])
    func refusesInvalid(_ raw: String) {
        #expect(throws: FiscalMixError.self) { try CNPJ(raw) }
    }

    @Test func ufCodesAreTheIBGEOnes() {
        #expect(UF.allCases.count == 27)
        #expect(UF.SP.ibgeCode == 35)
        #expect(UF(ibgeCode: 53) == .DF)
        #expect(Set(UF.allCases.map(\.ibgeCode)).count == 27)
    }
}
