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
}
