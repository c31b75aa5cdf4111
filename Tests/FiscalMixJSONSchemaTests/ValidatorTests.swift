import FiscalMixJSON
import FiscalMixJSONSchema
import Foundation
import Testing

@Suite struct ValidatorTests {
    func schema(_ text: String, assertFormats: Bool = false) throws -> JSONSchema {
        try JSONSchema(compiling: try JSON(parsing: text), options: .init(assertFormats: assertFormats))
    }

    @Test func errorsUseTheBasicOutputWithInstanceAndKeywordLocations() throws {
        let invoice = try schema(
            """
            {"$id": "https://fiscalmix.example/invoice", "type": "object", "required": ["cnpj", "items"],
             "properties": {
               "cnpj": {"type": "string", "pattern": "^[0-9A-Z]{12}[0-9]{2}$"},
               "items": {"type": "array", "items": {"$ref": "#/$defs/item"}}},
             "$defs": {"item": {"type": "object", "properties": {"amount": {"type": "number", "multipleOf": 0.01, "minimum": 0}}}}}
            """)
        #expect(invoice.validate(try JSON(parsing: #"{"cnpj": "11222333000181", "items": [{"amount": 1234.56}]}"#)).valid)
        let result = invoice.validate(try JSON(parsing: #"{"cnpj": "11.222", "items": [{"amount": 0.015}, {"amount": -1}]}"#))
        #expect(!result.valid)
        let found = Set(result.errors.map { "\($0.instanceLocation) \($0.keywordLocation)" })
        #expect(
            found == [
                "/cnpj /properties/cnpj/pattern", "/items/0/amount /properties/items/items/$ref/properties/amount/multipleOf",
                "/items/1/amount /properties/items/items/$ref/properties/amount/minimum",
            ])
        let minimum = try #require(result.errors.first { $0.keywordLocation.hasSuffix("minimum") })
        #expect(minimum.absoluteKeywordLocation == "https://fiscalmix.example/invoice#/$defs/item/properties/amount/minimum")
    }

    /// A long pattern never reaches ICU (Foundation leaks the copy of a long pattern ICU refuses):
    /// a long regular pattern runs on this module's automaton, a long one it cannot read is
    /// refused as an invalid one is.
    @Test func longPatternsRunWithoutICU() throws {
        let long = String(repeating: "ab", count: 200)
        let regular = try schema(#"{"pattern": "^(\#(long))+$"}"#)
        #expect(regular.validate(.string(long + long)).valid && !regular.validate(.string(long + "c")).valid)
        #expect(throws: (any Error).self) { try schema(#"{"pattern": "(\#(long)"}"#) }
        #expect(throws: (any Error).self) { try schema(#"{"pattern": "(?<=x)\#(long)"}"#) }
        // Short ones keep every ICU construct (lookbehind here).
        #expect(try schema(#"{"pattern": "(?<=x)ab"}"#).validate(.string("xab")).valid)
    }

    @Test func decimalAmountsAreCheckedExactly() throws {
        let cents = try schema(#"{"multipleOf": 0.01}"#)
        // 1234.56 / 0.01 is not an integer in binary floating point; in decimal it is.
        #expect(cents.validate(try JSON(parsing: "1234.56")).valid)
        #expect(cents.validate(try JSON(parsing: "19.99")).valid)
        #expect(!cents.validate(try JSON(parsing: "19.999")).valid)
    }

    /// Lengths count code points; the check settles most strings by their UTF-8 byte count
    /// (one to four bytes a code point) and must agree with a real count at the edges.
    @Test func stringLengthsCountCodePointsNotBytes() throws {
        let emoji = JSON.string("😀😀")  // 2 code points, 8 bytes
        let accented = JSON.string("ação")  // 4 code points, 6 bytes
        for (limits, valid) in [("\"maxLength\": 2", true), ("\"maxLength\": 1", false), ("\"minLength\": 2", true), ("\"minLength\": 3", false)] {
            let check = try schema("{\(limits)}")
            #expect(check.isValid(emoji) == valid, "\(limits) on 😀😀")
            #expect(check.validate(emoji).valid == valid, "\(limits) on 😀😀")
        }
        #expect(try schema(#"{"maxLength": 4, "minLength": 4}"#).isValid(accented))
        #expect(try !schema(#"{"maxLength": 3}"#).isValid(accented))
        #expect(try !schema(#"{"minLength": 5}"#).isValid(accented))
    }

    @Test func formatIsAnAnnotationUnlessAssertionIsOn() throws {
        let text = #"{"format": "date-time"}"#
        #expect(try schema(text).validate(.string("yesterday")).valid)
        #expect(!(try schema(text, assertFormats: true).validate(.string("yesterday")).valid))
        #expect(try schema(text, assertFormats: true).validate(.string("2026-11-23T08:00:00-03:00")).valid)
        #expect(!(try schema(text, assertFormats: true).validate(.string("2026-02-29T08:00:00Z")).valid), "2026 is not a leap year")
    }

    @Test func badSchemasAndReferencesFailToCompileWithTheirLocation() throws {
        #expect(throws: SchemaError.unresolvableReference("urn:fiscalmix:schema#/$defs/missing", location: "urn:fiscalmix:schema#")) {
            try schema(##"{"$ref": "#/$defs/missing"}"##)
        }
        #expect(throws: SchemaError.self) { try schema(#"{"properties": {"a": {"pattern": "(unclosed"}}}"#) }
        #expect(throws: SchemaError.self) { try schema(#"{"minLength": -1}"#) }
        #expect(throws: SchemaError.self) { try schema(#"{"$ref": "https://elsewhere.example/schema"}"#) }
    }

    @Test func aReferenceCycleOnTheSameInstanceStopsAtTheDepthBound() throws {
        let loop = try schema(##"{"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"$ref": "#/$defs/a"}}, "$ref": "#/$defs/a"}"##)
        let result = loop.validate(.int(1))
        #expect(!result.valid)
        #expect(result.errors.first?.message.contains("nested levels") == true)
    }

    @Test func registeredSchemasResolveByTheirURI() throws {
        var registry = SchemaRegistry()
        registry.register(try JSON(parsing: #"{"type": "string", "minLength": 14, "maxLength": 14}"#), at: "https://fiscalmix.example/cnpj")
        let company = try JSONSchema(
            compiling: try JSON(parsing: #"{"properties": {"cnpj": {"$ref": "https://fiscalmix.example/cnpj"}}}"#),
            registry: registry)
        #expect(company.validate(try JSON(parsing: #"{"cnpj": "11222333000181"}"#)).valid)
        #expect(!company.validate(try JSON(parsing: #"{"cnpj": "1122"}"#)).valid)
        // The bundled meta-schema validates schemas themselves.
        let meta = try JSONSchema(compiling: try JSON(parsing: #"{"$ref": "https://json-schema.org/draft/2020-12/schema"}"#))
        #expect(meta.validate(try JSON(parsing: #"{"type": "string"}"#)).valid)
        #expect(!meta.validate(try JSON(parsing: #"{"type": "text"}"#)).valid)
    }
}

@Suite struct ValidatorBoundsTests {
    @Test func aValidationThatWouldRunTooLongStopsAtTheStepBound() throws {
        // Each level doubles the work: 2^30 evaluations unless something stops it.
        var defs = [#""l0": {"type": "integer"}"#]
        for level in 1...30 {
            defs.append(##""l\##(level)": {"anyOf": [{"$ref": "#/$defs/l\##(level - 1)"}, {"$ref": "#/$defs/l\##(level - 1)"}]}"##)
        }
        let text = ##"{"$defs": {\##(defs.joined(separator: ", "))}, "$ref": "#/$defs/l30"}"##
        var options = JSONSchema.Options()
        options.maxSteps = 100_000
        let hostile = try JSONSchema(compiling: try JSON(parsing: text), options: options)
        let result = hostile.validate(.string("not an integer"))
        #expect(!result.valid)
        #expect(result.errors.contains { $0.message.contains("100000 steps") })
    }

    @Test func catastrophicBacktrackingOnInstanceDataStops() throws {
        // The backreference keeps the pattern on ICU (a backtracking engine); without it the
        // linear matcher answers at once (LinearPatternTests).
        let schema = try JSONSchema(compiling: try JSON(parsing: Array(#"{"pattern": "^(a+)+b\\1$"}"#.utf8)))
        let started = Date()
        let result = schema.validate(.string(String(repeating: "a", count: 40) + "c"))
        #expect(!result.valid)
        #expect(result.errors.contains { $0.message.contains("exceeded the evaluation budget") })
        #expect(Date().timeIntervalSince(started) < 30)
        // an ordinary match is unaffected
        #expect(schema.validate(.string("aaaba")).valid)
    }
}
