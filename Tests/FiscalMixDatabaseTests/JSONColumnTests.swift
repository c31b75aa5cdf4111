import Foundation
import Testing

@testable import FiscalMixDatabase

/// JSON columns read by the fast path answer exactly as Foundation's decoder does — the same
/// values, and an error wherever it throws one.
@Suite struct JSONColumnTests {
    static let texts = [
        #"[]"#, #"["a","b\u00e9","c\n"]"#, #"["a",1]"#, #"{}"#, #"{"X-Env":"prod","b":"é"}"#, #"{"a":1}"#,
        #"[5,300,1.5e3,-0.25]"#, #"[5,"6"]"#, #"null"#, #"[null]"#, #"not json"#, #""text""#, #"[1e400]"#,
    ]

    func sameAsFoundation<T: Decodable & Equatable>(_ type: T.Type) {
        for text in Self.texts {
            let expected = try? JSONDecoder().decode(T.self, from: Data(text.utf8))
            let got = try? decodeJSONColumn(text, as: T.self)
            #expect(got == expected, "\(T.self) from \(text)")
        }
    }

    @Test func listsOfStringsMapsOfStringsAndListsOfNumbers() throws {
        sameAsFoundation([String].self)
        sameAsFoundation([String: String].self)
        sameAsFoundation([Double].self)
        // A repeated key keeps the last value, as jsonb stores it (JSONDecoder keeps the first).
        #expect(try decodeJSONColumn(#"{"a":"1","a":"2"}"#, as: [String: String].self) == ["a": "2"])
    }

    @Test func otherTypesGoToFoundation() throws {
        struct Settings: Decodable, Equatable { let retries: Int }
        #expect(try decodeJSONColumn(#"{"retries":3}"#, as: Settings.self) == Settings(retries: 3))
        #expect(throws: DecodingError.self) { try decodeJSONColumn(#"{"retries":"x"}"#, as: Settings.self) }
        #expect(throws: DecodingError.self) { try decodeJSONColumn(#"["a",1]"#, as: [String].self) }
    }
}
