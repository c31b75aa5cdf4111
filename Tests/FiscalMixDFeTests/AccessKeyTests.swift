import FiscalMixCore
import FiscalMixDFe
import Testing

@Suite struct AccessKeyTests {
    @Test func checksTheDigitOfRealKeys() throws {
        let key = try AccessKey("35200807934034000100550010000112391688126813")
        #expect(key.uf == 35 && key.model == 55 && key.series == 1 && key.number == 11239)
        #expect(key.issuer == "07934034000100")
        #expect(throws: FiscalMixError.self) { try AccessKey("35200807934034000100550010000112391688126814") }
        #expect(throws: FiscalMixError.self) { try AccessKey("3520080793403400010055001000011239168812681") }
    }

    @Test func acceptsAlphanumericIssuers() throws {
        let key = AccessKey.make(uf: 35, year: 2026, month: 8, issuer: "12ABC34501DE35", model: 55, series: 1, number: 42, randomCode: 13_572_468)
        #expect(key.value.count == 44)
        #expect(try AccessKey(key.value) == key)
        #expect(FiscalDocType(model: key.model) == .NFE)
        // Letters are allowed only where the CNPJ sits.
        var letters = Array(key.value)
        letters[30] = "A"
        #expect(throws: FiscalMixError.self) { try AccessKey(String(letters)) }
    }

    @Test func amountsStayExact() {
        #expect(DecimalAmount("3290.20")?.text == "3290.20")
        #expect(DecimalAmount("0010")?.text == "10.00")
        #expect(DecimalAmount("1234567890123.45")?.text == "1234567890123.45")
        #expect(DecimalAmount("1.005")?.text == "1.005")
        #expect(DecimalAmount("1e3") == nil)
        #expect(DecimalAmount("1.") == nil)
        #expect(DecimalAmount("") == nil)
        #expect(DecimalAmount("9.99")! < DecimalAmount("10.00")!)
        #expect(DecimalAmount("-5.00")! < DecimalAmount("1.00")!)
        #expect(DecimalAmount("-5.00")! < DecimalAmount("-1.00")!)
    }
}
