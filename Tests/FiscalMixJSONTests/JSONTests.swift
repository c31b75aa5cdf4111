import FiscalMixJSON
import Foundation
import Testing

@Suite struct JSONTests {
    @Test(arguments: ["1234.56", "-0.5", "9223372036854775807", "-9223372036854775808", "1e400", "0.1", "12345678901234567890.123456789"])
    func numbersRoundTripExactly(_ text: String) throws {
        #expect(try JSON(parsing: text).serialized() == text)
    }

    @Test func objectsKeepKeyOrderAndCompareByContent() throws {
        let a = try JSON(parsing: #"{"b": 1, "a": [true, null, "x"]}"#)
        #expect(a.serialized() == #"{"b":1,"a":[true,null,"x"]}"#)
        #expect(a == (try JSON(parsing: #"{"a": [true, null, "x"], "b": 1.0}"#)))
        #expect(a.serialized(sortedKeys: true) == #"{"a":[true,null,"x"],"b":1}"#)
    }

    @Test func stringsDecodeEscapesAndSurrogatePairs() throws {
        #expect(try JSON(parsing: #""a\n\"\u00e9\ud83d\ude00""#) == .string("a\n\"é😀"))
        #expect(JSON.string("tab\there\u{01}").serialized() == #""tab\there\u0001""#)
    }

    @Test(arguments: ["", "{", "[1,]", "01", "1.", "\"\u{01}\"", "tru", "{\"a\" 1}", "[1] 2", "\"\\x\""])
    func refusesInvalidJSON(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSON(parsing: text) }
    }

    @Test func boundsNesting() {
        let deep = String(repeating: "[", count: 1000) + String(repeating: "]", count: 1000)
        #expect(throws: JSONParseError.self) { try JSON(parsing: deep) }
    }

    @Test func numbersCompareByValueNotText() throws {
        #expect(try JSON(parsing: "1") == JSON(parsing: "1.0"))
        #expect(try JSON(parsing: "1") != JSON(parsing: "true"))
        #expect(JSONNumber.compare(try JSON(parsing: "0.1").numberValue!, try JSON(parsing: "0.10000000000000001").numberValue!) < 0)
    }

    @Test(arguments: ["1234.56", "-0.05", "0.30", "-123456789012345.678", "1e2", "0.000001", "99999999999999999.9", "1234567890123456789.5"])
    func decimalValuesAreExact(_ text: String) throws {
        let number = try #require(try JSON(parsing: Array(text.utf8)).numberValue)
        #expect(number.decimalValue == Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")))
    }

    @Test func largeObjectsFindTheirKeysAndCompareInAnyOrder() throws {
        var forward = JSONObject()
        var backward = JSONObject()
        for i in 0..<40 { forward["k\(i)"] = .int(i) }
        for i in (0..<40).reversed() { backward["k\(i)"] = .int(i) }
        #expect(forward["k37"] == .int(37))
        #expect(forward == backward)
        #expect(forward.hashValue == backward.hashValue)
        forward["k3"] = nil
        #expect(forward["k3"] == nil && forward["k39"] == .int(39) && forward.count == 39)
        #expect(forward != backward)
    }

    @Test func sumsAreExactAcrossScalesOverflowsAndExponents() throws {
        func numbers(_ texts: [String]) throws -> [JSONNumber] {
            try texts.map { try #require(try JSON(parsing: Array($0.utf8)).numberValue) }
        }
        func decimal(_ text: String) -> Decimal { Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))! }
        // Scaled integers: what binary floating point gets wrong.
        #expect(JSONNumber.exactSum(try numbers(["0.1", "0.2"])) == decimal("0.3"))
        #expect(JSONNumber.exactSum(try numbers(["1234.56", "-0.06", "7", "0.005"])) == decimal("1241.505"))
        #expect(JSONNumber.exactSum([]) == 0)
        // Past 64 bits the sum continues in Decimal from what was summed so far.
        #expect(JSONNumber.exactSum(try numbers(["9223372036854775807", "1", "0.5"])) == decimal("9223372036854775808.5"))
        #expect(JSONNumber.exactSum(try numbers(["0.000000000000000001", "99999999999.5"])) == decimal("99999999999.500000000000000001"))
        // Text with an exponent, and more than 18 digits, take Decimal too.
        #expect(JSONNumber.exactSum(try numbers(["1e2", "0.25"])) == decimal("100.25"))
        #expect(JSONNumber.exactSum(try numbers(["1234567890123456789.5", "0.5"])) == decimal("1234567890123456790"))
        // A binary number (from arithmetic) makes the sum inexact: nil, the caller adds doubles.
        #expect(JSONNumber.exactSum([JSONNumber(1), JSONNumber(0.1)]) == nil)
    }

    @Test func plainDecimalsCompareAsScaledIntegers() throws {
        func number(_ text: String) throws -> JSONNumber { try #require(try JSON(parsing: Array(text.utf8)).numberValue) }
        #expect(JSONNumber.compare(try number("87.52"), try number("0")) == 1)
        #expect(JSONNumber.compare(try number("-0.5"), try number("-0.49")) == -1)
        #expect(JSONNumber.compare(try number("10.10"), try number("10.1")) == 0)
        #expect(JSONNumber.compare(try number("9223372036854775807"), try number("9223372036854775806.9")) == 1)
        #expect(JSONNumber.compare(try number("123456789012345678.5"), try number("123456789012345678")) == 1)
    }
}
